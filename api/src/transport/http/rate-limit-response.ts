import type { Response } from 'express';
import type { RateLimitedError } from '../../errors';

/** HTTP 429 with Retry-After, and the same error a GraphQL client would get in `errors`. */
export function sendRateLimited(res: Response, err: RateLimitedError): void {
  res
    .status(429)
    .set('Retry-After', String(err.retryAfterSeconds))
    .json({ errors: [{ message: err.message, extensions: { ...err.extensions } }] });
}
