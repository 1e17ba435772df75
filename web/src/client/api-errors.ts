import type { CombinedError } from '@urql/core';

/** Error codes the API puts in `extensions.code`. */
export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED';

export function errorCode(error: CombinedError | undefined): string | undefined {
  if (!error) return undefined;
  for (const e of error.graphQLErrors) {
    const code = e.extensions?.code;
    if (typeof code === 'string') return code;
  }
  const status = (error.response as Response | undefined)?.status;
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401) return 'UNAUTHENTICATED';
  return undefined;
}

export function isUnauthenticated(error: CombinedError | undefined): boolean {
  return errorCode(error) === 'UNAUTHENTICATED';
}

/** Seconds until a RATE_LIMITED request may be retried (extension, else Retry-After). */
export function retryAfterSeconds(error: CombinedError | undefined): number | undefined {
  if (!error) return undefined;
  for (const e of error.graphQLErrors) {
    const value = Number(e.extensions?.retryAfter);
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  const header = (error.response as Response | undefined)?.headers?.get?.('Retry-After');
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) ? Math.ceil(seconds) : undefined;
}

/**
 * BAD_USER_INPUT errors name the offending input field in `extensions.field`
 * (e.g. `priority`, `input.timeoutSeconds`, `env.1.name`); normalised without `input.`.
 */
export function fieldErrors(error: CombinedError | undefined): { fields: Record<string, string>; other: string[] } {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  if (!error) return { fields, other };
  for (const e of error.graphQLErrors) {
    const field = e.extensions?.field;
    if (e.extensions?.code === 'BAD_USER_INPUT' && typeof field === 'string' && field) {
      const name = field.replace(/^input\./, '');
      fields[name] = fields[name] ? `${fields[name]}; ${e.message}` : e.message;
    } else {
      other.push(e.message);
    }
  }
  if (error.networkError) other.push(networkMessage(error));
  return { fields, other };
}

/** One sentence for a person: the server's message, or what went wrong on the wire. */
export function errorMessage(error: CombinedError | undefined): string {
  if (!error) return '';
  if (error.graphQLErrors.length > 0) return error.graphQLErrors.map((e) => e.message).join('; ');
  return networkMessage(error);
}

function networkMessage(error: CombinedError): string {
  const status = (error.response as Response | undefined)?.status;
  if (status === 429) {
    const s = retryAfterSeconds(error);
    return s === undefined ? 'Too many requests; try again shortly.' : `Too many requests; try again in ${s} s.`;
  }
  return `Cannot reach the API (${error.networkError?.message ?? 'network error'}).`;
}
