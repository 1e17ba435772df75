import type { Logger } from './logger';

export interface ProcessLike {
  once(signal: 'SIGTERM' | 'SIGINT', handler: () => void): unknown;
  exit(code: number): never | void;
}

export interface ShutdownOptions {
  /** what the graceful stop waits for, in words ("waiting up to 30 s for 2 running jobs") */
  describe?: () => Promise<string>;
  /** the impatient second signal: end what would outlive this process (the local agent) at once */
  stopNow?: () => Promise<void>;
  /** where the person at the terminal reads it (default: stderr) */
  write?: (line: string) => void;
}

/**
 * SIGTERM/SIGINT → `stop()` once, then exit 0 (1 if stopping failed). The first signal says
 * what the stop waits for, so a terminal does not sit silent; a second one runs `stopNow` and
 * exits at once: the operator means it.
 */
export function installShutdownHandlers(
  stop: () => Promise<void>,
  logger: Logger,
  proc: ProcessLike = process,
  options: ShutdownOptions = {},
): void {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  let stopping = false;
  const onSignal = (signal: string) => () => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      write('cmd-executor: stopping now\n');
      const now = options.stopNow?.() ?? Promise.resolve();
      void now.catch((err: unknown) => logger.error({ err }, 'stopping at once failed')).finally(() => proc.exit(1));
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Listen again for the impatient second signal.
    proc.once(signal as 'SIGTERM', onSignal(signal));
    void (options.describe?.() ?? Promise.resolve('waiting for requests in flight'))
      .catch(() => 'waiting for running work')
      .then((what) => write(`cmd-executor: stopping: ${what}; ${signal === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to stop now\n`));
    stop().then(
      () => proc.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        proc.exit(1);
      },
    );
  };
  proc.once('SIGTERM', onSignal('SIGTERM'));
  proc.once('SIGINT', onSignal('SIGINT'));
}
