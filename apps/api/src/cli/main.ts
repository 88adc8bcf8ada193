// The `undub` command line. Each area adds its subcommands with one register call below; its
// commands follow the conventions of ./output (global --json flag, error codes).
import { Command, CommanderError } from 'commander';
import { printError, setJsonMode } from './output';
import { registerStartCommands } from './start';
import { registerAdminCommands } from './admin';
import { registerCatalogCommands } from './catalog';
import { registerIdentifyCommand } from './identify';
import { registerAnalyzeCommands } from './analyze';

export function buildProgram(): Command {
  const program = new Command('undub')
    .description('undub: catches short-video re-uploads disguised with background music')
    .option('--json', 'machine-readable output: JSON on stdout, progress on stderr')
    .exitOverride()
    // Usage errors are reported once, by main(), in the --json aware format.
    .configureOutput({ outputError: () => {} });
  program.hook('preAction', (_program, action) => setJsonMode(Boolean(action.optsWithGlobals().json)));

  registerStartCommands(program);
  registerAdminCommands(program);
  registerCatalogCommands(program);
  registerIdentifyCommand(program);
  registerAnalyzeCommands(program);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  // --json must shape errors raised before any action runs (unknown option, bad config).
  setJsonMode(argv.includes('--json'));
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version output are not failures.
      if (err.exitCode === 0) return;
      process.exitCode = printError(
        Object.assign(new Error(err.message.replace(/^error: /, '')), { code: 'CLI_USAGE' }),
      );
      return;
    }
    process.exitCode = printError(err);
  }
}
