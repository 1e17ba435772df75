import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Redaction is a second line of defence: code never logs credentials,
 * and these paths catch the ones that could slip in through headers or inputs.
 */
export function createLogger(opts: { level: string; name?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
    name: opts.name ?? 'cmd-executor-api',
    level: opts.level,
    redact: {
      paths: [
        'headers.authorization',
        'headers.cookie',
        'headers["x-worker-token"]',
        '*.headers.authorization',
        '*.headers.cookie',
        '*.headers["x-worker-token"]',
        'password',
        'token',
        '*.password',
        '*.token',
        '*.authToken',
        '*.workerToken',
        'variables',
        '*.variables',
      ],
      censor: '[redacted]',
    },
    },
    opts.destination ?? pino.destination(1),
  );
}
