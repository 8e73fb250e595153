// `kubecred doctor [--context NAME] [--fix] [-o text|json]`: exit 0 only when every check passes.
// The checks and the HTTP client load when the command runs, not for a help screen.
import { Command, Option } from 'commander';
import type { ProviderModule } from '../providers/types.js';

export function registerDoctor(program: Command, modules: readonly ProviderModule[]): void {
  program
    .command('doctor')
    .description('check everything between kubectl and the cluster for a context, one line per check, with the fix for each problem')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--fix', 'repair what can be repaired safely (cache and secret-store permissions)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { context?: string; kubeconfig?: string; fix?: boolean; output: string }) => {
      const [{ createFetch }, { doctor, doctorLines }] = await Promise.all([import('../infra/http.js'), import('../usecases/doctor.js')]);
      const report = await doctor({
        kubeconfig: opts.kubeconfig,
        context: opts.context,
        env: process.env,
        fix: opts.fix === true,
        nowMs: () => Date.now(),
        modules,
        http: { fetcher: createFetch },
      });
      if (opts.output === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else for (const line of doctorLines(report)) process.stdout.write(line + '\n');
      if (!report.ok) process.exitCode = 1;
    });
}
