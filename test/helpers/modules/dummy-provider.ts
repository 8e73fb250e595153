// A provider that exists only in tests: registered in a test-only registry, it must get its
// setup-context subcommand, help, cache list line and logout secret handling with no other file
// changed (the point of the module interface).
import type { ProviderModule } from '../../../src/providers/types.js';

export const dummyModule: ProviderModule = {
  kind: 'dummy',
  source: 'a dummy issuer',
  setupDescription: 'set up a context served by the dummy issuer (tests only)',
  getTokenFlags: [
    { name: 'realm', type: 'string', description: 'realm to get a token for' },
    {
      name: 'dummy-secret',
      type: 'string',
      setup: 'never',
      setupRefusal: '--dummy-secret is refused: pipe it into --secret-stdin',
      description: 'refused at setup',
    },
    { name: 'min-validity', type: 'string', description: 'margin' },
    { name: 'token-cache-dir', type: 'string', path: true, description: 'cache dir' },
    { name: 'verbose', short: 'v', type: 'boolean', setup: 'local', description: 'explain' },
  ],
  identity: (values) => ({ provider: 'dummy', realm: String(values.realm ?? '') }),
  setupFlags: [{ name: 'secret-stdin', type: 'boolean', secretFromStdin: 'API key: ', description: 'read the API key from stdin' }],
  secretNames: { session: ['session_token'], config: ['api_key'] },
  load: async () => ({
    settings: (values) => values,
    async obtain() {
      return { material: { token: 'obtained-token' }, expiresAt: new Date(Date.now() + 3600_000), label: 'dora' };
    },
    async logout(ctx) {
      return [`dummy: the api key is ${(await ctx.secrets.get('api_key')) ? 'kept' : 'gone'}`];
    },
    async setup(_ctx, request) {
      return {
        args: request.passArgs,
        secrets: { api_key: request.stdinSecret ?? 'none', session_token: 'session-from-setup' },
        warm: { material: { token: 'warm-token' }, expiresAt: new Date(Date.now() + 3600_000), label: 'dora' },
      };
    },
    describe: (entry) => ({
      summary: `${entry.label} in realm ${String(entry.identity.realm)}`,
      fields: [['realm', String(entry.identity.realm)]],
    }),
  }),
};
