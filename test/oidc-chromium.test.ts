// The authorization code flow with a real browser: headless Debian Chromium (playwright-core) is
// kubecred's --browser-command; it fills the IdP's login page and lands on kubecred's loopback page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { requireKubectl } from './fixtures/kubectl.js';
import { chromiumAvailable, CHROMIUM } from './fixtures/browser.js';
import { assertNoSecrets, cachedSecrets, SECRET_VALUE, startOidcRig } from './helpers/oidc/rig.js';

const browserScript = resolve(import.meta.dirname, 'fixtures', 'browser.ts');

test('kubectl reads a Secret after a login completed in headless Chromium', async (t) => {
  if (!requireKubectl(t)) return;
  if (!chromiumAvailable()) {
    process.stderr.write(`\n*** ${CHROMIUM} not found: the Chromium test is SKIPPED (apt-get install chromium) ***\n`);
    return t.skip(`${CHROMIUM} not found`);
  }
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const command = `${process.execPath} --import ${import.meta.resolve('tsx')} ${browserScript} --log ${rig.browserLog} --user bob --password bob-password`;
  await rig.useArgs(rig.getTokenArgs(['--browser-command', command, '--extra-scope', 'email']));
  const r = await rig.readSecret();
  assert.equal(r.value, SECRET_VALUE, r.stderr);
  assert.equal(rig.api.requests.at(-1)!.user!.username, `${rig.idp.issuer}#bob`);
  const log = readFileSync(rig.browserLog, 'utf8');
  assert.match(log, /You are logged in at 127\.0\.0\.1:\d+/, 'the tab shows the outcome');
  assert.equal(rig.browserCalls(), 1);
  assertNoSecrets(r.stderr, cachedSecrets(rig));
});
