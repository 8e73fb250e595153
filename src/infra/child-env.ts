// The environment of children kubecred starts (the --browser-command, the system browser): the
// parent's, minus every variable that holds or looks like a secret. A browser has no use for the
// Keystone password kubectl's exec env handed us, and its crash reporter or extensions would see it.

/** Secrets kubecred itself reads from the environment (always removed). */
const KNOWN_SECRETS = new Set([
  'KUBECRED_PASSWORD',
  'KUBECRED_CLIENT_SECRET',
  'OS_PASSWORD',
  'OS_APPLICATION_CREDENTIAL_SECRET',
  'OS_TOKEN',
  'OS_AUTH_TOKEN',
  'OS_PASSCODE',
]);

/** Names that look like secrets: `…_PASSWORD`, `…_SECRET_…`, `…_TOKEN`, `…_API_KEY`, … */
const SECRET_LOOKING = /(^|_)(PASS(WORD|WD|CODE|PHRASE)?|SECRETS?|TOKENS?|CREDENTIALS?|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)(_|$)/i;

export function isSecretVariable(name: string): boolean {
  return KNOWN_SECRETS.has(name.toUpperCase()) || SECRET_LOOKING.test(name);
}

/** A copy of env without secret-looking variables. */
export function childEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !isSecretVariable(name)) out[name] = value;
  return out;
}

/**
 * Runs fn (which spawns through a library that always passes process.env, such as `open`) with the
 * secret-looking variables taken out of process.env, and puts them back afterwards.
 */
export async function withoutSecretVariables<T>(fn: () => Promise<T>): Promise<T> {
  const removed: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && isSecretVariable(name)) {
      removed.push([name, value]);
      delete process.env[name];
    }
  }
  try {
    return await fn();
  } finally {
    for (const [name, value] of removed) process.env[name] = value;
  }
}
