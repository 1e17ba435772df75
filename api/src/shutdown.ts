import type { Logger } from './logger';

export interface ProcessLike {
  once(signal: 'SIGTERM' | 'SIGINT', handler: () => void): unknown;
  exit(code: number): never | void;
}

/**
 * SIGTERM/SIGINT → `stop()` once, then exit 0 (1 if stopping failed). A second signal while
 * stopping exits at once: the operator means it.
 */
export function installShutdownHandlers(stop: () => Promise<void>, logger: Logger, proc: ProcessLike = process): void {
  let stopping = false;
  const onSignal = (signal: string) => () => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      proc.exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Listen again for the impatient second signal.
    proc.once(signal as 'SIGTERM', onSignal(signal));
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
