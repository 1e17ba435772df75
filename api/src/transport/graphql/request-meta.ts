import type { GraphQLContext, RequestMeta } from './context';

/**
 * Kept as an object on the context (not keyed by it): Apollo shallow-copies the context per
 * operation, and the copy must fill in the same record the log line reads.
 */
export function requestMeta(ctx: GraphQLContext): RequestMeta {
  ctx.meta ??= { errorCodes: [] };
  return ctx.meta;
}

export function principalLabel(ctx: Pick<GraphQLContext, 'principal'>): Record<string, string> {
  const p = ctx.principal;
  switch (p.kind) {
    case 'user':
      return { user: p.username, userId: p.userId };
    case 'worker':
      return { worker: p.workerName, tokenId: p.tokenId };
    default:
      return { user: 'anonymous' };
  }
}
