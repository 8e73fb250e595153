// Shared by providers' describe(): the one-line summary of a cached identity, built from the
// identity fields providers commonly use. Knows no provider kinds.
import type { Identity } from '../store/cache-key.js';

/** `alice @ https://issuer project CMS client kubernetes`. */
export function identitySummary(identity: Identity, label: string | undefined): string {
  const parts: string[] = [];
  if (label) parts.push(label);
  const where = identity.issuer ?? identity.authUrl ?? identity.cluster ?? identity.server;
  if (typeof where === 'string' && where) parts.push(`@ ${where}`);
  const project = identity.project as { name?: string; id?: string } | undefined;
  if (project?.name || project?.id) parts.push(`project ${project.name ?? project.id}`);
  if (typeof identity.clientId === 'string' && identity.clientId) parts.push(`client ${identity.clientId}`);
  return parts.join(' ') || '(unknown)';
}
