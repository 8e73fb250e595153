// A Keystone token as kubecred caches it, and how whoami / cache list describe it.
import type { CacheEntry } from '../../store/token-cache.js';
import type { CredentialDescription, ObtainedCredential } from '../types.js';
import { identitySummary } from '../describe.js';
import type { TokenInfo } from './client.js';

export function obtainedFrom(token: TokenInfo): ObtainedCredential {
  return {
    material: { token: token.id },
    expiresAt: token.expiresAt,
    label: token.user.name ?? token.user.id,
    meta: {
      userId: token.user.id,
      userName: token.user.name,
      userDomainName: token.user.domain?.name,
      userDomainId: token.user.domain?.id,
      projectId: token.project?.id,
      projectName: token.project?.name,
      applicationCredentialId: token.applicationCredential?.id,
    },
  };
}

export function describeKeystone(entry: CacheEntry): CredentialDescription {
  const meta = (entry.meta ?? {}) as Record<string, unknown>;
  const fields: Array<[string, string | string[]]> = [];
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const user = text(meta.userName) ?? text(meta.userId);
  if (user) fields.push(['user', user]);
  const domain = text(meta.userDomainName) ?? text(meta.userDomainId);
  if (domain) fields.push(['domain', domain]);
  const project = text(meta.projectName) ?? text(meta.projectId);
  if (project) fields.push(['project', project]);
  if (Array.isArray(meta.roles) && meta.roles.length) fields.push(['roles', meta.roles.filter((r): r is string => typeof r === 'string')]);
  const appCred = text(meta.applicationCredentialId);
  if (appCred) fields.push(['application credential', appCred]);
  return {
    source: typeof entry.identity.authUrl === 'string' ? entry.identity.authUrl : undefined,
    summary: identitySummary(entry.identity, entry.label),
    fields,
  };
}
