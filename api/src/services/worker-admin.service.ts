import { isValidObjectId } from 'mongoose';
import { WorkerStatus } from '../domain/enums';
import { ConflictError, NotFoundError } from '../errors';
import { WorkerModel } from '../storage/models';
import type { Actor, AuditService } from './audit.service';

/** Admin housekeeping of worker records (the worker channel owns their life while connected). */
export class WorkerAdminService {
  constructor(private readonly audit: AuditService) {}

  /**
   * Deletes an OFFLINE worker's record in one conditional delete: a worker that came back
   * online meanwhile is left alone (CONFLICT). If it reconnects later it registers afresh.
   */
  async removeOffline(actor: Actor, id: string): Promise<void> {
    if (!isValidObjectId(id)) throw new NotFoundError('worker not found');
    const removed = await WorkerModel.findOneAndDelete({ _id: id, status: WorkerStatus.OFFLINE });
    if (!removed) {
      const exists = await WorkerModel.exists({ _id: id });
      if (!exists) throw new NotFoundError('worker not found');
      throw new ConflictError('only OFFLINE workers can be removed; drain it and wait until it goes offline');
    }
    await this.audit.record(actor, 'worker.remove', id, { name: removed.name });
  }
}
