// INDIGO IAM (CloudVeneto for INFN users): device flow with dynamic client registration.
// To fill in when `kubecred setup-context iam` lands (issue 8): start the IdP fixture configured like
// IAM (issuer with a trailing slash, open registration, device flow without `interval`, `audience`
// mapped to a JWT access token) and an API server accepting that audience; then
//   kubecred setup-context iam --context demo-iam --server <api> --issuer-url <idp>/ --audience <aud>
// with a login helper (./browser.ts) that completes the device page (completeDeviceLogin from
// test/fixtures/idp-login.ts) from the verification URL kubecred prints; then kubectl twice, and
// push { name: 'demo-iam', provider: 'iam', activity } onto s.contexts for the tour.
import type { DemoStep } from './session.js';
import { commandExists } from './commands.js';

export const iamStep: DemoStep = {
  name: 'iam',
  title: 'INDIGO IAM: device flow with dynamic client registration',
  inDefault: false,
  async unavailable() {
    if (!(await commandExists(['setup-context', 'iam']))) return 'this kubecred has no `setup-context iam` yet (issue 8)';
    return 'the IAM demo step is still to be written (scripts/demo/iam.ts)';
  },
  async run() {
    throw new Error('not written yet');
  },
};
