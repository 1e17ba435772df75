import { Types } from 'mongoose';
import { insertAuditEntry, listAuditEntries } from '../storage/repositories/audit.repository';

export type AuditAction =
  | 'user.create'
  | 'workerToken.create'
  | 'workerToken.rotate'
  | 'workerToken.revoke'
  | 'worker.drain'
  | 'job.cancel'
  | 'job.retry';

/** Admin actions, written before the action's result is returned (not fire-and-forget). */
export class AuditService {
  async record(actorId: string, action: AuditAction | string, targetId?: string, details?: Record<string, unknown>): Promise<void> {
    await insertAuditEntry({ actorId: new Types.ObjectId(actorId), action, targetId, details, at: new Date() });
  }

  async list(limit = 100): Promise<Array<{ actorId: string; action: string; targetId?: string; at: Date }>> {
    const rows = await listAuditEntries(limit);
    return rows.map((r) => ({ actorId: String(r.actorId), action: r.action, targetId: r.targetId, at: r.at }));
  }
}
