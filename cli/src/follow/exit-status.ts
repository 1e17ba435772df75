import os from 'node:os';

export interface FinishedJob {
  status: string;
  exitCode?: number | null;
  signal?: string | null;
}

export const EXIT = {
  /** the CLI's own errors: bad options, refused login, server unreachable */
  CLI_ERROR: 2,
  TIMED_OUT: 124,
  /** the job never produced an exit code: spawn failure, worker lost with no attempts left */
  NO_EXIT_CODE: 125,
  CANCELED: 130,
} as const;

/** The job's end as a shell would report it (`timeout` uses 124, a signal N gives 128+N). */
export function exitStatusFor(job: FinishedJob): number {
  switch (job.status) {
    case 'CANCELED':
      return EXIT.CANCELED;
    case 'TIMED_OUT':
      return EXIT.TIMED_OUT;
    case 'SUCCEEDED':
    case 'FAILED': {
      if (job.signal) {
        const n = signalNumber(job.signal);
        if (n !== undefined) return 128 + n;
      }
      if (typeof job.exitCode === 'number') return job.exitCode & 0xff;
      return job.status === 'SUCCEEDED' ? 0 : EXIT.NO_EXIT_CODE;
    }
    default:
      return EXIT.NO_EXIT_CODE;
  }
}

function signalNumber(signal: string): number | undefined {
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  const n = (os.constants.signals as Record<string, number | undefined>)[name];
  if (n !== undefined) return n;
  const numeric = Number(signal);
  return Number.isInteger(numeric) && numeric > 0 && numeric < 128 ? numeric : undefined;
}

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT']);
