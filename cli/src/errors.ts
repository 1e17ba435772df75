/**
 * The CLI's own failures (bad options, refused login, server unreachable past the retry budget):
 * one line on stderr and exit status 2, so they never look like a job's exit status.
 */
export class CliError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    /** the API's `extensions.code` when the server refused the request */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The server could not be reached or dropped the request: worth retrying within the budget. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export const LOGIN_HINT = 'not logged in, or the session expired or was refused: run `cmd-executor login`';

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
