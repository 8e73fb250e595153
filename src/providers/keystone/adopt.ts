// convert-kubeconfig for Keystone: client-keystone-auth exec entries, flags and OS_* environment.
// OS_* settings become our flags (so the cache key does not depend on the shell's environment);
// OS_PASSWORD and OS_APPLICATION_CREDENTIAL_SECRET, which its documented kubeconfig keeps in plain
// text, move into the secret store.
import { basename } from 'node:path';
import type { Adopter } from '../adoption.js';
import { readForeignArgs } from '../foreign-args.js';
import { parseFlags, stringFlag } from '../../exec/flags.js';
import { keystoneGetTokenFlags } from './flags.js';
import { APP_CRED_SECRET, PASSWORD_SECRET } from './sources.js';

const SECRET_FLAGS = { password: PASSWORD_SECRET, 'application-credential-secret': APP_CRED_SECRET } as const;
const SECRET_ENV: Readonly<Record<string, string>> = { OS_PASSWORD: PASSWORD_SECRET, OS_APPLICATION_CREDENTIAL_SECRET: APP_CRED_SECRET };
/** OS_* variables that change nothing for getting a token. */
const HARMLESS_ENV = new Set([
  'OS_REGION_NAME',
  'OS_INTERFACE',
  'OS_ENDPOINT_TYPE',
  'OS_IDENTITY_API_VERSION',
  'OS_AUTH_TYPE',
  'OS_AUTH_PLUGIN',
  'OS_COMPUTE_API_VERSION',
]);

export const adoptKeystone: Adopter = (user) => {
  const exec = user.exec;
  if (!exec?.command || basename(exec.command).replace(/\.exe$/i, '') !== 'client-keystone-auth') return undefined;
  const from = 'client-keystone-auth';
  const read = readForeignArgs(keystoneGetTokenFlags, exec.args ?? [], { secretFlags: SECRET_FLAGS, underscores: true });
  if (!read.ok) return { status: 'refused', from, reason: read.reason };
  const args = [...read.args];
  const secrets = { ...read.secrets };
  const notes = [...read.notes];
  const given = new Set(args.map((a) => /^--([^=]+)/.exec(a)![1]!));
  const byEnv = new Map<string, { name: string; type: string }>();
  for (const spec of keystoneGetTokenFlags) for (const v of spec.env ?? []) if (!byEnv.has(v)) byEnv.set(v, spec);
  const keptEnv: Array<{ name: string; value: string }> = [];
  for (const { name, value } of exec.env ?? []) {
    const secretName = SECRET_ENV[name];
    if (secretName) {
      if (value) secrets[secretName] ??= value;
      notes.push(`moved ${name} out of the kubeconfig into the secret store (${secretName})`);
      continue;
    }
    const spec = byEnv.get(name);
    if (spec) {
      // A flag beats the environment, as in client-keystone-auth.
      if (value !== '' && !given.has(spec.name)) {
        args.push(`--${spec.name}=${value}`);
        given.add(spec.name);
      }
      continue;
    }
    if (HARMLESS_ENV.has(name)) {
      notes.push(`dropped ${name} (not needed for a token)`);
      continue;
    }
    if (name.startsWith('OS_')) return { status: 'refused', from, reason: `environment variable ${name} is not understood by kubecred` };
    if (/(SECRET|PASSWORD|TOKEN)/i.test(name))
      return { status: 'refused', from, reason: `environment variable ${name} looks like a secret kubecred does not know where to keep` };
    keptEnv.push({ name, value });
  }
  try {
    const { values } = parseFlags(keystoneGetTokenFlags, args);
    if (!stringFlag(values, 'auth-url') && !stringFlag(values, 'os-cloud'))
      return { status: 'refused', from, reason: 'it names no Keystone URL (--keystone-url or OS_AUTH_URL)' };
  } catch (err) {
    return { status: 'refused', from, reason: (err as Error).message };
  }
  return { status: 'adopted', from, args, env: keptEnv.length ? keptEnv : undefined, secrets, notes };
};
