import { ForbiddenError, UnauthenticatedError } from '../errors';
import { Role } from '../domain/enums';
import type { Principal, UserPrincipal, WorkerPrincipal } from './principal';

/** Anything that carries the caller (a GraphQL context, a test's stand-in). */
type Caller = { principal: Principal };

/** A person (or a program with a user JWT). Worker tokens are refused: they may only run jobs. */
export function requireUser(ctx: Caller): UserPrincipal {
  const p = ctx.principal;
  if (p.kind === 'user') return p;
  if (p.kind === 'worker') throw new ForbiddenError('worker tokens cannot call user operations');
  throw new UnauthenticatedError(p.authError ?? 'authentication required');
}

export function requireAdmin(ctx: Caller): UserPrincipal {
  const user = requireUser(ctx);
  if (user.role !== Role.ADMIN) throw new ForbiddenError('admin only');
  return user;
}

/** A worker agent. User tokens (admins included) are refused: only a worker holds leases. */
export function requireWorker(ctx: Caller): WorkerPrincipal {
  const p = ctx.principal;
  if (p.kind === 'worker') return p;
  if (p.kind === 'user') throw new ForbiddenError('user tokens cannot call worker operations');
  throw new UnauthenticatedError(p.authError ?? 'worker token required');
}

/** A user or a worker (read-only views both may use). */
export function requireAuthenticated(ctx: Caller): UserPrincipal | WorkerPrincipal {
  const p = ctx.principal;
  if (p.kind === 'anonymous') throw new UnauthenticatedError(p.authError ?? 'authentication required');
  return p;
}
