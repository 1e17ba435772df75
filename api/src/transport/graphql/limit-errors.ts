import { GraphQLError, type ASTNode } from 'graphql';

/**
 * Errors about the request itself, raised before execution. `extensions.http` gives Apollo the
 * status (it would answer 500 for an error raised in a plugin hook otherwise) and is removed
 * before a client sees the error (Apollo does it over HTTP, formatError on the WebSocket).
 */
const BAD_REQUEST = { status: 400 };

/** The operation asks for more than its budget allows: `limit` names which budget. */
export function queryTooComplex(message: string, limit: string, max: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit, max, http: BAD_REQUEST } });
}

/** A variable the client got wrong; `field` is its path (`i.env[0].name`), never its value. */
export function badVariable(message: string, field: string, node?: ASTNode): GraphQLError {
  return new GraphQLError(message, { nodes: node ? [node] : undefined, extensions: { code: 'BAD_USER_INPUT', field, http: BAD_REQUEST } });
}

/** The document is not GraphQL at all. */
export function parseFailed(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED', http: BAD_REQUEST } });
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** A client-given operation name fit for a message or a log line: a GraphQL name, or '?'. */
export function nameLabel(name: string): string {
  return NAME.test(name) ? name : '?';
}

/** The document has no operation `name` (or several and no name); the name is quoted only when it is one. */
export function operationNotFound(name: string | null | undefined): GraphQLError {
  const message = name ? `Unknown operation named "${nameLabel(name)}".` : 'Must provide operation name if query contains multiple operations.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: BAD_REQUEST } });
}
