// whoami for a Keystone entry, from what the cache kept (no network).
import type { CacheEntry } from '../../store/token-cache.js';
import type { CredentialDescription } from '../description.js';

type Ref = { id?: string; name?: string; domain?: { id?: string; name?: string } } | undefined;

export function describeKeystoneEntry(entry: CacheEntry): CredentialDescription {
  const id = entry.identity as Record<string, unknown>;
  const meta = (entry.meta ?? {}) as Record<string, unknown>;
  const authUrl = typeof id.authUrl === 'string' ? id.authUrl : undefined;
  const user = id.user as Ref;
  const project = id.project as Ref;
  const fields: CredentialDescription['fields'] = [];
  if (authUrl) fields.push(['auth URL', authUrl]);
  const userName = (meta.userName as string | undefined) ?? user?.name ?? entry.label;
  if (userName) fields.push(['user', userName + (meta.userId ? ` (${String(meta.userId)})` : '')]);
  const domain = user?.domain?.name ?? user?.domain?.id;
  if (domain) fields.push(['domain', domain]);
  const projectName = (meta.projectName as string | undefined) ?? project?.name;
  if (projectName || meta.projectId) fields.push(['project', `${projectName ?? ''}${meta.projectId ? ` (${String(meta.projectId)})` : ''}`.trim()]);
  if (Array.isArray(meta.roles) && meta.roles.length) fields.push(['roles', meta.roles.map(String)]);
  if (meta.applicationCredentialId) fields.push(['application credential', String(meta.applicationCredentialId)]);
  return { source: authUrl, summary: `${userName ?? 'someone'} @ ${authUrl ?? '?'}${projectName ? ` project ${projectName}` : ''}`, fields };
}
