import type { Response } from 'express';
import type { RateLimitedError, ServiceUnavailableError } from '../../errors';

/** HTTP 429 (over budget) or 503 (limiter down, failing closed) with Retry-After, and the same error a GraphQL client would get in `errors`. */
export function sendRateLimited(res: Response, err: RateLimitedError | ServiceUnavailableError): void {
  res
    .status(err.code === 'RATE_LIMITED' ? 429 : 503)
    .set('Retry-After', String(err.retryAfterSeconds))
    .json({ errors: [{ message: err.message, extensions: { ...err.extensions } }] });
}
