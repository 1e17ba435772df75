import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isAppError } from '../../errors';

/** Codes graphql itself or Apollo raise about the request, safe to pass on. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'QUERY_TOO_COMPLEX',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export interface ErrorKind {
  code: string;
  internal: boolean;
  original: unknown;
}

/**
 * Our typed errors and errors about the request itself are the client's to see. Anything else
 * is a bug or an outage: internal.
 */
export function classifyError(error: unknown): ErrorKind {
  const original = unwrapResolverError(error);
  if (isAppError(original)) return { code: original.code, internal: false, original };
  if (original instanceof GraphQLError) {
    // Apollo rewraps validation errors under its own code; a limit rule's code says more.
    const inner = original.originalError;
    if (inner instanceof GraphQLError && inner.extensions?.code === 'QUERY_TOO_COMPLEX') return { code: 'QUERY_TOO_COMPLEX', internal: false, original };
    const code = original.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) return { code, internal: false, original };
    // Raised by graphql-js while parsing/validating/coercing the request: no resolver involved,
    // no cause, no path. An error with a path (ours or the wrapper's) came from executing: a
    // value we stored that the schema cannot serialize is our fault, never the client's.
    const executing = original.path !== undefined || (error instanceof GraphQLError && error.path !== undefined);
    if (original.originalError === undefined && !executing) {
      return { code: typeof code === 'string' ? code : 'GRAPHQL_VALIDATION_FAILED', internal: false, original };
    }
  }
  return { code: 'INTERNAL_SERVER_ERROR', internal: true, original };
}

/**
 * What a client sees: internal errors lose message, stack and every extension but the code;
 * `http` (the status Apollo answers with) is never part of an error.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const kind = classifyError(error);
  if (kind.internal) {
    return { message: 'internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  if (isAppError(kind.original)) {
    const { http: _http, ...extensions } = kind.original.extensions;
    return { message: kind.original.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  const { stacktrace: _stack, http: _http, ...extensions } = formatted.extensions ?? {};
  return { ...formatted, message: withoutInputValue(formatted.message), extensions: { ...extensions, code: kind.code } };
}

const VARIABLE_VALUE = /^Variable "\$(\w+)" got invalid value .*$/s;

/**
 * graphql-js quotes a variable's value when it cannot be coerced. The request checks catch
 * those first (variable-coercion.ts); this is the backstop for any path that did not.
 */
function withoutInputValue(message: string): string {
  return message.replace(VARIABLE_VALUE, 'Variable "$$$1" got an invalid value.');
}
