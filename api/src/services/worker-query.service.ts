import { isValidObjectId } from 'mongoose';
import type { WorkerStatus } from '../domain/enums';
import { WorkerModel } from '../storage/models';
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

  async findByIds(ids: readonly string[]): Promise<WorkerDoc[]> {
    return WorkerModel.find({ _id: { $in: ids.filter((id) => isValidObjectId(id)) } });
  }
}
