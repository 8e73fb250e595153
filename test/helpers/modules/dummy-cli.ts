// The full CLI with a test-only registry: the real providers plus the dummy one.
import { main } from '../../../src/cli/main.js';
import { providerModules } from '../../../src/providers/registry.js';
import { dummyModule } from './dummy-provider.js';

const code = await main(process.argv.slice(2), { modules: [...providerModules, dummyModule] });
process.stdout.write('', () => process.exit(code));
