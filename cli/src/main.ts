#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError, errorMessage } from './errors';
import { EXIT } from './follow/exit-status';
import { buildProgram } from './program';
import { readerGone } from './util/reader-gone';

/** Runs one command line; resolves with the process's exit status. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    // commander has printed its own one-line message (or the help) already
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT.CLI_ERROR;
    const message = err instanceof CliError ? err.message : errorMessage(err);
    process.stderr.write(`cmd-executor: ${message}\n`);
    return EXIT.CLI_ERROR;
  }
}

if (require.main === module) {
  // A reader that went away (`| head`): stop quietly, as a process killed by SIGPIPE would,
  // once what the command asked for then is done (see util/reader-gone.ts).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return readerGone();
      throw err;
    });
  }
  void main().then((code) => {
    // Exit once stdout has taken everything: open keep-alive sockets must not hold the process.
    process.stdout.write('', () => process.exit(code));
  });
}
