import type { QueryFilter, Types } from 'mongoose';
import { LEASED_JOB_STATUSES, WorkerStatus } from '../../domain/enums';
import { JobModel, Worker, WorkerModel } from '../models';
import type { WorkerDoc } from './documents';
import type { Id } from './ids';

export interface WorkerRegistration {
  tokenId: Id;
  name: string;
  hostname?: string | null;
  labels: string[];
  capacity: number;
  version?: string | null;
  sandboxes: string[];
  instanceId: string;
  /** Keep DRAINING across a reconnect (an admin decision outlives the socket). */
  keepDraining: boolean;
  now: Date;
}

/** One Worker document per worker token: registering again updates it. */
export async function upsertWorker(r: WorkerRegistration): Promise<WorkerDoc> {
  const existing = await WorkerModel.findOne({ tokenId: r.tokenId }).exec();
  const status = r.keepDraining && existing?.status === WorkerStatus.DRAINING ? WorkerStatus.DRAINING : WorkerStatus.ONLINE;
  const doc = await WorkerModel.findOneAndUpdate(
    { tokenId: r.tokenId },
    {
      $set: {
        name: r.name,
        hostname: r.hostname ?? undefined,
        labels: r.labels,
        capacity: r.capacity,
        version: r.version ?? undefined,
        sandboxes: r.sandboxes,
        status,
        lastHeartbeatAt: r.now,
        instanceId: r.instanceId,
      },
    },
    { upsert: true, returnDocument: 'after', setDefaultsOnInsert: true },
  ).exec();
  return doc;
}

export async function findWorker(workerId: Id): Promise<WorkerDoc | null> {
  return WorkerModel.findById(workerId).exec();
}

export async function findWorkersByIds(ids: readonly Id[]): Promise<WorkerDoc[]> {
  return WorkerModel.find({ _id: { $in: [...ids] } }).exec();
}

/** Workers by name (then id), optionally only those in `status`; at most `limit`. */
export async function listWorkers(status: readonly WorkerStatus[] | undefined, limit: number): Promise<WorkerDoc[]> {
  const filter: QueryFilter<Worker> = status && status.length > 0 ? { status: { $in: [...status] } } : {};
  return WorkerModel.find(filter).sort({ name: 1, _id: 1 }).limit(limit).exec();
}

export async function findWorkerByToken(tokenId: Id): Promise<WorkerDoc | null> {
  return WorkerModel.findOne({ tokenId }).exec();
}

/** A heartbeat: alive again (OFFLINE → ONLINE; DRAINING stays). */
export async function touchWorker(workerId: Id, now: Date): Promise<{ worker: WorkerDoc; revived: boolean } | null> {
  const revived = await WorkerModel.findOneAndUpdate(
    { _id: workerId, status: WorkerStatus.OFFLINE },
    { $set: { lastHeartbeatAt: now, status: WorkerStatus.ONLINE } },
    { returnDocument: 'after' },
  ).exec();
  if (revived) return { worker: revived, revived: true };
  const worker = await WorkerModel.findOneAndUpdate({ _id: workerId }, { $set: { lastHeartbeatAt: now } }, { returnDocument: 'after' }).exec();
  return worker ? { worker, revived: false } : null;
}

export async function setWorkerStatus(workerId: Id, status: WorkerStatus, from?: WorkerStatus[]): Promise<WorkerDoc | null> {
  const filter: QueryFilter<Worker> = { _id: workerId };
  if (from) filter.status = { $in: from };
  return WorkerModel.findOneAndUpdate(filter, { $set: { status } }, { returnDocument: 'after' }).exec();
}

/** Workers not heard from since `before` and not yet OFFLINE. */
export async function findSilentWorkers(before: Date, limit: number): Promise<WorkerDoc[]> {
  return WorkerModel.find({ status: { $ne: WorkerStatus.OFFLINE }, lastHeartbeatAt: { $lt: before } })
    .limit(limit)
    .exec();
}

/** Marks a silent worker OFFLINE unless it spoke up meanwhile (heartbeat wins the race). */
export async function markOffline(workerId: Id, silentBefore: Date): Promise<WorkerDoc | null> {
  return WorkerModel.findOneAndUpdate(
    { _id: workerId, status: { $ne: WorkerStatus.OFFLINE }, lastHeartbeatAt: { $lt: silentBefore } },
    { $set: { status: WorkerStatus.OFFLINE } },
    { returnDocument: 'after' },
  ).exec();
}

/**
 * An ONLINE worker whose connection to replica `instanceId` closed, and that has not registered
 * again since: OFFLINE. (A DRAINING one keeps its status: the drain outlives the socket.)
 */
export async function markDisconnected(workerId: Id, instanceId: string, closedAt: Date): Promise<WorkerDoc | null> {
  return WorkerModel.findOneAndUpdate(
    { _id: workerId, instanceId, status: WorkerStatus.ONLINE, lastHeartbeatAt: { $lte: closedAt } },
    { $set: { status: WorkerStatus.OFFLINE } },
    { returnDocument: 'after' },
  ).exec();
}

/**
 * Recomputes `running` from the jobs (the truth) for workers whose counter may have drifted
 * (a crash between a job transition and the counter update).
 */
export async function reconcileRunning(limit: number): Promise<number> {
  const counts = await JobModel.aggregate<{ _id: Types.ObjectId | null; n: number }>([
    { $match: { status: { $in: [...LEASED_JOB_STATUSES] } } },
    { $group: { _id: '$workerId', n: { $sum: 1 } } },
  ]).exec();
  const byWorker = new Map(counts.map((c) => [String(c._id), c.n]));
  const workers = await WorkerModel.find({ $or: [{ running: { $ne: 0 } }, { _id: { $in: counts.flatMap((c) => (c._id ? [c._id] : [])) } }] })
    .select({ running: 1 })
    .limit(limit)
    .lean()
    .exec();
  let fixed = 0;
  for (const w of workers) {
    const actual = byWorker.get(String(w._id)) ?? 0;
    if (w.running !== actual) {
      await WorkerModel.updateOne({ _id: w._id, running: w.running }, { $set: { running: actual } }).exec();
      fixed += 1;
    }
  }
  return fixed;
}
