// The demo's "browser": completes the local IdP's login page as alice with an HTTP client and
// follows the redirect back to kubecred's loopback server, as a person in a browser would.
import { completeLoginAndFollow } from '../test/fixtures/idp-login.js';

const url = process.argv.at(-1)!;
process.stderr.write(`demo browser: logging in as alice at ${new URL(url).origin}\n`);
await completeLoginAndFollow(url, { username: 'alice', password: process.env.DEMO_IDP_PASSWORD ?? 'alice-password' });
