import { CliError, LOGIN_HINT } from '../errors';

export interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

/** A refused request as one sentence; an expired or refused token points at `login`. */
export function fromGraphQLErrors(errors: readonly GraphQLErrorLike[]): CliError {
  const first = errors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : undefined;
  if (code === 'UNAUTHENTICATED') return new CliError(LOGIN_HINT, code);
  return new CliError(first?.message ?? 'the server refused the request', code);
}

export function retryAfterMs(errors: readonly GraphQLErrorLike[] | undefined): number | undefined {
  const first = errors?.[0];
  if (first?.extensions?.code !== 'RATE_LIMITED') return undefined;
  const s = Number(first.extensions.retryAfter);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 1000;
}
