import { isValidObjectId } from 'mongoose';
import type { WorkerStatus } from '../domain/enums';
import type { WorkerDoc } from '../storage/repositories/documents';
import { findWorker, findWorkersByIds, listWorkers } from '../storage/repositories/worker.repository';
import { findWorkerTokenName } from '../storage/repositories/worker-token.repository';

const LIST_LIMIT = 1000;

/** Read side of workers for people (the worker channel writes them). */
export class WorkerQueryService {
  async list(status?: readonly WorkerStatus[] | null): Promise<WorkerDoc[]> {
    return listWorkers(status ?? undefined, LIST_LIMIT);
  }

  async findById(id: string): Promise<WorkerDoc | null> {
    return isValidObjectId(id) ? findWorker(id) : null;
  }

  /** The name of the worker token a worker connected with (null once the token record is gone). */
  async tokenName(tokenId: unknown): Promise<string | null> {
    const id = tokenId === undefined || tokenId === null ? '' : String(tokenId);
    if (!isValidObjectId(id)) return null;
    return findWorkerTokenName(id);
  }

  async findByIds(ids: readonly string[]): Promise<WorkerDoc[]> {
    return findWorkersByIds(ids.filter((id) => isValidObjectId(id)));
  }
}
