// Child for store-keyring.test.ts; prints one JSON line of observations on stdout, notices on
// stderr. Modes:
//   keyring <cacheDir>   run against the keyring of the session (the test starts gnome-keyring)
//   locked <cacheDir>    the keyring answers but is locked and cannot prompt (no display)
//   fallback <cacheDir>  open the stores where no keyring is reachable
import { openSecretStore, scopedSecrets, deleteAllFor } from '../../../src/store/secret-store.js';
import { keyringAvailable, keyringGet } from '../../../src/store/keyring.js';
import { openTokenStore, tokenAccount } from '../../../src/store/token-store.js';
import type { CacheEntry } from '../../../src/store/token-cache.js';

const KEY = 'f'.repeat(64);
const KEY2 = '0'.repeat(64);
const TOKEN = 'tok-SECRET-4f1c2a';

const [mode, cacheDir] = process.argv.slice(2);
if (!mode || !cacheDir) throw new Error('usage: keyring-child <keyring|fallback> <cacheDir>');
const notice = (m: string) => process.stderr.write(`NOTICE ${m}\n`);

const entry: CacheEntry = {
  v: 1,
  provider: 'oidc',
  identity: { provider: 'oidc', issuer: 'https://idp.example' },
  storage: 'disk',
  expiresAt: '2030-01-01T00:00:00.000Z',
  obtainedAt: '2029-12-31T23:00:00.000Z',
  credential: { token: TOKEN },
};

const out: Record<string, unknown> = { available: await keyringAvailable() };

if (mode === 'keyring') {
  // A secret left on disk from a time without keyring: moved into the keyring when read.
  const disk = scopedSecrets(await openSecretStore({ cacheDir, prefer: 'disk', notice }), KEY2);
  await disk.set('refresh_token', 'rt-left-on-disk');

  const store = await openSecretStore({ cacheDir, notice });
  out.backend = store.backend;
  const scoped = scopedSecrets(store, KEY);
  await scoped.set('refresh_token', 'rt-SECRET-1');
  await scoped.set('client_secret', 'cs-SECRET-1');
  out.get = await scoped.get('refresh_token');
  out.rawAccount = await keyringGet(`secret/${KEY}/refresh_token`);
  await scoped.set('refresh_token', 'rt-SECRET-2');
  out.overwritten = await scoped.get('refresh_token');
  out.deleted = await scoped.delete('refresh_token');
  out.deletedAgain = await scoped.delete('refresh_token');
  out.afterDelete = (await scoped.get('refresh_token')) ?? null;
  await scoped.set('password', 'pw-SECRET');
  out.deleteAll = await deleteAllFor(store, KEY);
  out.afterDeleteAll = [(await scoped.get('password')) ?? null, (await scoped.get('client_secret')) ?? null];
  const migrated = scopedSecrets(store, KEY2);
  out.migrated = await migrated.get('refresh_token');
  out.migratedInKeyring = await keyringGet(`secret/${KEY2}/refresh_token`);
  out.leftOnDisk = (await disk.get('refresh_token')) ?? null;
  await migrated.delete('refresh_token');

  const tokens = await openTokenStore({ dir: cacheDir, storage: 'keyring', notice });
  out.tokenStorage = tokens.storage;
  await tokens.write(KEY, entry);
  const read = await tokens.read(KEY);
  out.read = read.status === 'hit' ? read.entry : read;
  out.tokenInKeyring = await keyringGet(tokenAccount(KEY));
  // A second entry to show that remove also clears the keyring item.
  await tokens.write(KEY2, entry);
  out.removed = await tokens.remove(KEY2);
  out.afterRemove = (await keyringGet(tokenAccount(KEY2))) ?? null;
} else {
  // 'locked' (a keyring that refuses writes) and the no-D-Bus fallback run the same steps; the
  // locked one also stores a client secret, to show every secret lands on disk.
  const store = await openSecretStore({ cacheDir, notice });
  out.backend = store.backend;
  const scoped = scopedSecrets(store, KEY);
  await scoped.set('refresh_token', 'rt-SECRET-1');
  if (mode === 'locked') await scoped.set('client_secret', 'cs-SECRET-1');
  out.get = await scoped.get('refresh_token');
  const tokens = await openTokenStore({ dir: cacheDir, storage: 'keyring', notice });
  out.tokenStorage = tokens.storage;
  await tokens.write(KEY, entry);
  const read = await tokens.read(KEY);
  out.read = read.status === 'hit' ? read.entry : read;
}
process.stdout.write(JSON.stringify(out) + '\n');
