/**
 * One error type for the agent, with a code that says what the caller should do
 * (the hatchet SDK's approach): `transient` errors are retried, the others are not.
 */
export type WorkerErrorCode =
  /** the attempt no longer holds its lease: stop it, report nothing */
  | 'CONFLICT'
  /** the server closed with 4401/4403: the token is bad or revoked */
  | 'AUTH'
  /** no connection right now; retry after reconnecting */
  | 'NOT_CONNECTED'
  /** the connection dropped while the request was in flight */
  | 'DISCONNECTED'
  /** no answer in time */
  | 'TIMEOUT'
  /** the server answered with an error (extensions.code in `serverCode`) */
  | 'SERVER'
  | 'SPAWN';

const TRANSIENT: ReadonlySet<WorkerErrorCode> = new Set(['NOT_CONNECTED', 'DISCONNECTED', 'TIMEOUT']);
/** server error codes worth retrying (anything unclassified is treated as a server hiccup) */
const TRANSIENT_SERVER_CODES: ReadonlySet<string> = new Set(['RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);

export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  /** `extensions.code` of a GraphQL error */
  readonly serverCode: string | undefined;

  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown; serverCode?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorkerError';
    this.code = code;
    this.serverCode = options?.serverCode;
  }

  get transient(): boolean {
    if (this.code === 'SERVER') return this.serverCode === undefined || TRANSIENT_SERVER_CODES.has(this.serverCode);
    return TRANSIENT.has(this.code);
  }
}

/** True when the server refused a job-scoped call because the attempt lost its lease (or the job is gone). */
export function isLeaseLost(err: unknown): boolean {
  return (
    err instanceof WorkerError &&
    (err.code === 'CONFLICT' || (err.code === 'SERVER' && (err.serverCode === 'NOT_FOUND' || err.serverCode === 'FORBIDDEN')))
  );
}

export function isTransient(err: unknown): boolean {
  return err instanceof WorkerError ? err.transient : false;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
