import { type QueryFilter, Types } from 'mongoose';
import { LEASED_JOB_STATUSES, WorkerStatus, type SandboxKind } from '../../domain/enums';
import { workersCollection } from '../hot-collections';
import { JobModel, Worker, WorkerModel } from '../models';
import type { WorkerDoc } from './documents';
import { isDuplicateKey } from './duplicate-key';
import { asObjectId, type Id } from './ids';

export interface WorkerRegistration {
  tokenId: Id;
  /** The name asked for; `name-2`, `name-3`… when another live agent holds it. */
  name: string;
  /** The agent process's id: the same process reconnecting gets its own record back. */
  agentInstanceId?: string;
  /** A worker heard from before this, or OFFLINE, no longer holds its name. */
  liveSince: Date;
  hostname?: string | null;
  labels: string[];
  capacity: number;
  version?: string | null;
  sandboxes: SandboxKind[];
  instanceId: string;
  /** Keep DRAINING across a reconnect (an admin decision outlives the socket). */
  keepDraining: boolean;
  now: Date;
}

const MAX_NAME_SUFFIX = 100;

type WorkerSnapshot = Pick<Worker, 'name' | 'status' | 'lastHeartbeatAt' | 'agentInstanceId'> & { _id: Types.ObjectId };

/**
 * A worker is one agent on one token: token + name. The agent process that holds a record
 * keeps it across reconnects; another process may take it over once it is OFFLINE or silent
 * past the lease (a restarted agent reclaims its name), and otherwise gets the next free
 * `name-N`. Every take-over is a conditional update on what was read (status, heartbeat,
 * holder), and a new name is an insert on the unique (tokenId, name) index, so two agents
 * registering at once never share a record. Null when every name up to `name-100` is held.
 */
export async function upsertWorker(r: WorkerRegistration): Promise<WorkerDoc | null> {
  if (r.agentInstanceId) {
    const own = await WorkerModel.findOne({ tokenId: r.tokenId, agentInstanceId: r.agentInstanceId }).lean<WorkerSnapshot>().exec();
    if (own) {
      const doc = await takeOver(own, r);
      if (doc) return doc;
    }
  }
  let n = 1;
  for (let tries = 0; n <= MAX_NAME_SUFFIX && tries < 4 * MAX_NAME_SUFFIX; tries += 1) {
    const name = n === 1 ? r.name : `${r.name}-${n}`;
    const existing = await WorkerModel.findOne({ tokenId: r.tokenId, name }).lean<WorkerSnapshot>().exec();
    if (existing && !claimable(existing, r)) {
      n += 1;
      continue;
    }
    if (existing) {
      const doc = await takeOver(existing, r);
      if (doc) return doc;
      continue; // it changed since the read: look again
    }
    try {
      return await WorkerModel.create({ tokenId: r.tokenId, ...fields(r, name, WorkerStatus.ONLINE) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // another agent took the name first: look again
    }
  }
  return null;
}

function claimable(w: WorkerSnapshot, r: WorkerRegistration): boolean {
  // An agent that sends no instance id (older agents) shares one record per name, as before.
  if (!r.agentInstanceId || !w.agentInstanceId || w.agentInstanceId === r.agentInstanceId) return true;
  return w.status === WorkerStatus.OFFLINE || !w.lastHeartbeatAt || w.lastHeartbeatAt < r.liveSince;
}

async function takeOver(w: WorkerSnapshot, r: WorkerRegistration): Promise<WorkerDoc | null> {
  const status = r.keepDraining && w.status === WorkerStatus.DRAINING ? WorkerStatus.DRAINING : WorkerStatus.ONLINE;
  const filter: QueryFilter<Worker> = {
    _id: w._id,
    status: w.status,
    lastHeartbeatAt: w.lastHeartbeatAt ?? null,
    agentInstanceId: w.agentInstanceId ?? null,
  };
  const set = fields(r, w.name, status);
  const update = r.agentInstanceId ? { $set: set } : { $set: set, $unset: { agentInstanceId: 1 } };
  return WorkerModel.findOneAndUpdate(filter, update, { returnDocument: 'after' }).exec();
}

function fields(r: WorkerRegistration, name: string, status: WorkerStatus) {
  return {
    name,
    hostname: r.hostname ?? undefined,
    labels: r.labels,
    capacity: r.capacity,
    version: r.version ?? undefined,
    sandboxes: r.sandboxes,
    status,
    lastHeartbeatAt: r.now,
    instanceId: r.instanceId,
    ...(r.agentInstanceId ? { agentInstanceId: r.agentInstanceId } : {}),
  };
}

/**
 * Workers were once one per token (a unique index on tokenId); a store made then still has
 * that index, which would refuse a second agent on a token.
 */
export async function dropLegacyWorkerIndexes(): Promise<void> {
  const indexes = await WorkerModel.collection.indexes();
  if (indexes.some((i) => i.name === 'tokenId_1' && i.unique)) await WorkerModel.collection.dropIndex('tokenId_1');
}

export async function findWorker(workerId: Id): Promise<WorkerDoc | null> {
  return WorkerModel.findById(workerId).exec();
}

/**
 * What dispatch needs of the workers that registered on API instance `instanceId`, in one
 * read, keyed by id (by instance, not by a `$in` of ids: see leasedAttemptsByWorker).
 */
export async function findWorkerFactsOn(instanceId: string): Promise<Map<string, { objectId: Types.ObjectId; status: WorkerStatus; capacity: number; labels: string[]; sandboxes: SandboxKind[] }>> {
  const rows = await WorkerModel.find({ instanceId })
    .select({ status: 1, capacity: 1, labels: 1, sandboxes: 1 })
    .lean<Array<{ _id: Types.ObjectId; status: WorkerStatus; capacity: number; labels?: string[]; sandboxes?: SandboxKind[] }>>()
    .exec();
  return new Map(rows.map((w) => [w._id.toHexString(), { objectId: w._id, status: w.status, capacity: w.capacity, labels: w.labels ?? [], sandboxes: w.sandboxes ?? [] }]));
}

export async function findWorkersByIds(ids: readonly Id[]): Promise<WorkerDoc[]> {
  return WorkerModel.find({ _id: { $in: [...ids] } }).exec();
}

/** Workers by name (then id), optionally only those in `status`; at most `limit`. */
export async function listWorkers(status: readonly WorkerStatus[] | undefined, limit: number): Promise<WorkerDoc[]> {
  const filter: QueryFilter<Worker> = status && status.length > 0 ? { status: { $in: [...status] } } : {};
  return WorkerModel.find(filter).sort({ name: 1, _id: 1 }).limit(limit).exec();
}

/** Workers registered with a token (at most `limit`). */
export async function findWorkersByToken(tokenId: Id, limit: number): Promise<WorkerDoc[]> {
  return WorkerModel.find({ tokenId }).limit(limit).exec();
}

/**
 * A heartbeat: one write, nothing read back. An OFFLINE worker is alive again (→ ONLINE;
 * DRAINING stays) and comes back as it now is, in `revived`. Null: no such worker.
 */
export async function touchWorker(workerId: Id, now: Date): Promise<{ revived?: WorkerDoc } | null> {
  // Twice at most: the status may change between the two conditional writes.
  for (let round = 0; round < 2; round += 1) {
    // Past mongoose, and in process when the store is (hot-collections.ts): every agent's
    // heartbeat makes this write, and mongoose's query building cost as much as the write (the
    // id is cast and updatedAt stamped as it would).
    const live = await workersCollection().updateOne(
      { _id: asObjectId(workerId), status: { $ne: WorkerStatus.OFFLINE } },
      { $set: { lastHeartbeatAt: now, updatedAt: now } },
    );
    if (live.matchedCount > 0) return {};
    const revived = await WorkerModel.findOneAndUpdate(
      { _id: workerId, status: WorkerStatus.OFFLINE },
      { $set: { lastHeartbeatAt: now, status: WorkerStatus.ONLINE } },
      { returnDocument: 'after' },
    ).exec();
    if (revived) return { revived };
  }
  return null;
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
