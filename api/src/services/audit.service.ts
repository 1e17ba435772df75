import { isValidObjectId, Types } from 'mongoose';
import { decodeJobCursor as decodeTimeCursor, encodeJobCursor as encodeTimeCursor } from '../domain/job-cursor';
import { isAdmin, type UserPrincipal } from '../auth/principal';
import { BadUserInputError, ForbiddenError } from '../errors';
import { insertAuditEntry, listAuditEntries } from '../storage/repositories/audit.repository';
import { findUserById } from '../storage/repositories/user.repository';

export type AuditAction =
  | 'auth.signIn'
  | 'auth.signInFailed'
  | 'auth.lockout'
  | 'user.create'
  | 'user.setRole'
  | 'user.disable'
  | 'user.enable'
  | 'user.revokeSessions'
  | 'user.resetPassword'
  | 'user.oidcFirstSignIn'
  | 'workerToken.create'
  | 'workerToken.rotate'
  | 'workerToken.revoke'
  | 'worker.drain'
  | 'worker.remove'
  | 'job.cancel'
  | 'job.retry';

/** One entry as the audit page shows it. */
export interface AuditRecord {
  id: string;
  actorId?: string;
  actorName?: string;
  action: string;
  targetId?: string;
  details: Array<{ name: string; value: string }>;
  sourceAddress?: string;
  at: Date;
}

export interface AuditPage {
  edges: Array<{ cursor: string; node: AuditRecord }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const AUDIT_PAGE = { default: 50, max: 200 } as const;

/** Who acted, and through which request: what an entry records of them. */
export interface Actor {
  /** null: nobody known acted (a failed sign-in); `name` then says who was claimed */
  id: string | null;
  /** the username as it was then; read from the user when absent */
  name?: string;
  /** the request's client address as TRUST_PROXY resolves it; absent outside a request (the command line) */
  address?: string;
}

/**
 * The audit trail. Entries are written before the action's result is returned (never
 * fire-and-forget), with the actor's username as it was then and the address of the request
 * they acted through (the transport names both: services pass the Actor along). Details hold
 * only non-sensitive facts: never a password, token or secret value.
 */
export class AuditService {
  async record(actor: Actor, action: AuditAction, targetId?: string, details?: Record<string, unknown>): Promise<void> {
    const name = actor.name ?? (actor.id ? (await findUserById(actor.id))?.username : undefined);
    await insertAuditEntry({
      actorId: actor.id ? new Types.ObjectId(actor.id) : undefined,
      actorName: name,
      action,
      targetId,
      details,
      sourceAddress: actor.address,
      at: new Date(),
    });
  }

  /** Admins only. Newest first; `actor` is a username or a user id; `action` an exact action name. */
  async list(caller: UserPrincipal, opts: { first?: number | null; after?: string | null; action?: string | null; actor?: string | null }): Promise<AuditPage> {
    if (!isAdmin(caller)) throw new ForbiddenError('The audit log is for admins only.');
    const first = opts.first ?? AUDIT_PAGE.default;
    if (!Number.isInteger(first) || first < 1 || first > AUDIT_PAGE.max) throw new BadUserInputError('first', `first must be from 1 to ${AUDIT_PAGE.max}.`);
    let after: { at: Date; id: Types.ObjectId } | undefined;
    if (opts.after) {
      const c = decodeTimeCursor(opts.after);
      if (!c) throw new BadUserInputError('after', 'That cursor is not one this list gave out; start again without it.');
      after = { at: c.createdAt, id: new Types.ObjectId(c.id) };
    }
    const action = opts.action?.trim() || undefined;
    const actorText = opts.actor?.trim() || undefined;
    if ((action?.length ?? 0) > 100 || (actorText?.length ?? 0) > 100) throw new BadUserInputError(action && action.length > 100 ? 'action' : 'actor', 'Filters are at most 100 characters.');
    const actor = actorText ? { name: actorText, id: isValidObjectId(actorText) && /^[0-9a-f]{24}$/i.test(actorText) ? new Types.ObjectId(actorText) : undefined } : undefined;
    const rows = await listAuditEntries({ action, actor, after, limit: first + 1 });
    const edges = rows.slice(0, first).map((r) => {
      const id = String(r._id);
      const node: AuditRecord = {
        id,
        actorId: r.actorId ? String(r.actorId) : undefined,
        actorName: r.actorName,
        action: r.action,
        targetId: r.targetId,
        details: Object.entries(r.details ?? {})
          .filter(([, v]) => v !== undefined && v !== null)
          .map(([name, v]) => ({ name, value: v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v) })),
        sourceAddress: r.sourceAddress,
        at: r.at,
      };
      return { cursor: encodeTimeCursor(r.at, id), node };
    });
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
