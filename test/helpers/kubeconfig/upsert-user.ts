// Child process for the concurrent-writers test: upserts one user into a kubeconfig under the lock.
// usage: node --import tsx upsert-user.ts <kubeconfig> <user-name>; prints `waiting` when the lock is busy.
import { updateKubeconfigFile, upsertNamed } from '../../../src/kubeconfig/index.js';

const [file, name] = process.argv.slice(2);
if (!file || !name) throw new Error('usage: upsert-user.ts <kubeconfig> <user-name>');
await updateKubeconfigFile(
  file,
  (doc) => {
    upsertNamed(doc, 'users', name, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'kubecred',
        args: ['get-token', 'oidc', `--client-id=${name}`],
        interactiveMode: 'IfAvailable',
      },
    });
  },
  { lockTimeoutMs: 60_000, lockPollMs: 5, onLockWait: () => process.stdout.write('waiting\n') },
);
