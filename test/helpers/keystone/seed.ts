// Test data in a real Keystone, created as admin through the REST API: CloudVeneto's shape — a
// domain `cloudveneto`, project `CMS`, users with the member role on it — and TOTP codes.
import { createHmac, randomBytes } from 'node:crypto';
import type { KeystoneFixture } from '../../fixtures/keystone.js';

async function ok(p: ReturnType<KeystoneFixture['api']>, what: string): Promise<any> {
  const res = await p;
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface SeededUser {
  id: string;
  name: string;
  password: string;
  domain: string;
}

export interface CloudVeneto {
  domainId: string;
  project: { id: string; name: string };
  otherProject: { id: string; name: string };
  /** member of CMS and ATLAS */
  alice: SeededUser;
  addUser(name: string, options?: Record<string, unknown>): Promise<SeededUser>;
}

export async function seedCloudVeneto(ks: KeystoneFixture): Promise<CloudVeneto> {
  const domainId = (await ok(ks.api('POST', '/domains', { domain: { name: 'cloudveneto' } }), 'create domain')).domain.id as string;
  const project = async (name: string) =>
    (await ok(ks.api('POST', '/projects', { project: { name, domain_id: domainId } }), `create project ${name}`)).project;
  const cms = await project('CMS');
  const atlas = await project('ATLAS');
  const roles = await ok(ks.api('GET', '/roles?name=member'), 'find role member');
  const memberRoleId = roles.roles[0].id as string;
  const addUser = async (name: string, options: Record<string, unknown> = {}): Promise<SeededUser> => {
    // Passwords with shell and JSON metacharacters: they must survive every path intact.
    const password = `pw-${randomBytes(9).toString('base64url')}-$'" ;`;
    const user = (await ok(ks.api('POST', '/users', { user: { name, domain_id: domainId, password, options } }), `create user ${name}`))
      .user;
    for (const p of [cms, atlas])
      await ok(ks.api('PUT', `/projects/${p.id}/users/${user.id}/roles/${memberRoleId}`), `grant member on ${p.name}`);
    return { id: user.id, name, password, domain: 'cloudveneto' };
  };
  return {
    domainId,
    project: { id: cms.id, name: cms.name },
    otherProject: { id: atlas.id, name: atlas.name },
    alice: await addUser('alice'),
    addUser,
  };
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer): string {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += B32[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

function unbase32(text: string): Buffer {
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += B32.indexOf(c).toString(2).padStart(5, '0');
  const out: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as Keystone's totp method checks it. */
export function totpCode(secretBase32: string, atMs = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac('sha1', unbase32(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A user whose MFA rules require password + TOTP (or what `rules` say); returns the TOTP secret too. */
export async function addTotpUser(
  ks: KeystoneFixture,
  cv: CloudVeneto,
  name: string,
  rules: string[][] = [['password', 'totp']],
): Promise<SeededUser & { totpSecret: string }> {
  const user = await cv.addUser(name, { multi_factor_auth_enabled: true, multi_factor_auth_rules: rules });
  const totpSecret = base32(randomBytes(20));
  await ok(ks.api('POST', '/credentials', { credential: { type: 'totp', user_id: user.id, blob: totpSecret } }), 'create totp credential');
  return { ...user, totpSecret };
}
