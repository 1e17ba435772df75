import { ForbiddenError, UnauthenticatedError } from '../errors';
import { Role } from '../domain/enums';
import type { GraphQLContext, UserPrincipal, WorkerPrincipal } from '../transport/graphql/context';

/** A person (or a program with a user JWT). Worker tokens are refused: they may only run jobs. */
export function requireUser(ctx: Pick<GraphQLContext, 'principal'>): UserPrincipal {
  const p = ctx.principal;
  if (p.kind === 'user') return p;
  if (p.kind === 'worker') throw new ForbiddenError('worker tokens cannot call user operations');
  throw new UnauthenticatedError(p.authError ?? 'authentication required');
}

export function requireAdmin(ctx: Pick<GraphQLContext, 'principal'>): UserPrincipal {
  const user = requireUser(ctx);
  if (user.role !== Role.ADMIN) throw new ForbiddenError('admin only');
  return user;
}

/** A worker agent. User tokens (admins included) are refused: only a worker holds leases. */
export function requireWorker(ctx: Pick<GraphQLContext, 'principal'>): WorkerPrincipal {
  const p = ctx.principal;
  if (p.kind === 'worker') return p;
  if (p.kind === 'user') throw new ForbiddenError('user tokens cannot call worker operations');
  throw new UnauthenticatedError(p.authError ?? 'worker token required');
}

/** A user or a worker (read-only views both may use). */
export function requireAuthenticated(ctx: Pick<GraphQLContext, 'principal'>): UserPrincipal | WorkerPrincipal {
  const p = ctx.principal;
  if (p.kind === 'anonymous') throw new UnauthenticatedError(p.authError ?? 'authentication required');
  return p;
}

export function isAdmin(p: GraphQLContext['principal']): boolean {
  return p.kind === 'user' && p.role === Role.ADMIN;
}
