import { GraphQLError } from 'graphql';

/** Codes every client may switch on (DESIGN.md); INTERNAL_SERVER_ERROR is Apollo's own. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

/** Base of every error we mean to show a client: the message is safe, the code is typed. */
export abstract class AppError extends GraphQLError {
  abstract readonly code: ErrorCode;
  protected constructor(message: string, code: ErrorCode, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(message = 'authentication required') {
    super(message, 'UNAUTHENTICATED');
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN' as const;
  constructor(message = 'not allowed') {
    super(message, 'FORBIDDEN');
  }
}

export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND' as const;
  constructor(message = 'not found') {
    super(message, 'NOT_FOUND');
  }
}

/** `field` is the input path the client got wrong, e.g. `input.env[3].name`. */
export class BadUserInputError extends AppError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message, 'BAD_USER_INPUT', { field });
  }
}

export class ConflictError extends AppError {
  readonly code = 'CONFLICT' as const;
  constructor(message = 'conflict') {
    super(message, 'CONFLICT');
  }
}

export class RateLimitedError extends AppError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(readonly retryAfterSeconds: number) {
    // retryAfter is the name DESIGN.md gave; retryAfterSeconds says the unit (both, same value).
    super(`rate limit exceeded, retry after ${retryAfterSeconds}s`, 'RATE_LIMITED', { retryAfter: retryAfterSeconds, retryAfterSeconds });
  }
}

/** A dependency is down and the request cannot be served safely now; retrying later is safe. */
export class ServiceUnavailableError extends AppError {
  readonly code = 'SERVICE_UNAVAILABLE' as const;
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super(message, 'SERVICE_UNAVAILABLE', { retryAfter: retryAfterSeconds });
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
