import { isValidObjectId } from 'mongoose';
import type { WorkerStatus } from '../domain/enums';
import { WorkerModel, WorkerTokenModel } from '../storage/models';
import type { WorkerDoc } from './job-events';

/** Read side of workers for people (the worker channel writes them). */
export class WorkerQueryService {
  async list(status?: readonly WorkerStatus[] | null): Promise<WorkerDoc[]> {
    const filter = status && status.length > 0 ? { status: { $in: [...status] } } : {};
    return WorkerModel.find(filter).sort({ name: 1, _id: 1 }).limit(1000);
  }

  async findById(id: string): Promise<WorkerDoc | null> {
    return isValidObjectId(id) ? WorkerModel.findById(id) : null;
  }

  /** The name of the worker token a worker connected with (null once the token record is gone). */
  async tokenName(tokenId: unknown): Promise<string | null> {
    const id = tokenId === undefined || tokenId === null ? '' : String(tokenId);
    if (!isValidObjectId(id)) return null;
    const token = await WorkerTokenModel.findById(id).select({ name: 1 }).lean();
    return token?.name ?? null;
  }

  async findByIds(ids: readonly string[]): Promise<WorkerDoc[]> {
    return WorkerModel.find({ _id: { $in: ids.filter((id) => isValidObjectId(id)) } });
  }
}
