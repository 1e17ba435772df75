import { Command } from 'commander';
import { registerAuthCommands } from './commands/auth.commands';
import { registerJobCommands } from './commands/jobs.commands';
import { registerLogs } from './commands/logs.command';
import { registerRun } from './commands/run.command';
import { registerWorkers } from './commands/workers.command';

declare const BUNDLED_VERSION: string | undefined;

/** Every command; each action reports its exit status through `setExit`. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command()
    .name('cmd-executor')
    .description(
      'Run commands on cmd-executor workers and follow them from a terminal.\n' +
        'Server and token: --server, else CMD_EXECUTOR_SERVER / CMD_EXECUTOR_TOKEN, else the saved login.',
    )
    .version(typeof BUNDLED_VERSION === 'string' ? BUNDLED_VERSION : 'dev')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit status: the job’s (run, logs -f), 2 for errors of this CLI (bad options, refused login, server unreachable).\n' +
        '\nExamples:\n  $ cmd-executor login --server http://api-host:4000\n  $ cmd-executor run -l linux -- make test\n  $ cmd-executor jobs --status FAILED\n',
    );
  registerAuthCommands(program, setExit);
  registerRun(program, setExit);
  registerLogs(program, setExit);
  registerJobCommands(program, setExit);
  registerWorkers(program, setExit);
  return program;
}
