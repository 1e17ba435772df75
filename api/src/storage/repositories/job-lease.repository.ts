import type { DocumentType } from '@typegoose/typegoose';
import { Types, type QueryFilter, type UpdateQuery } from 'mongoose';
import { claimKeyOf } from '../../domain/claim-key';
import { LEASED_JOB_STATUSES, JobStatus } from '../../domain/enums';
import { fence, type LeaseRef, type Transition } from '../../domain/job-state-machine';
import { Job, JobModel, Worker, WorkerModel } from '../models';
import type { JobDoc } from './documents';
import { jobsCollection } from '../hot-collections';
import { castJobFilter, castJobUpdate } from './job-driver-cast';
import { asObjectId, type Id } from './ids';

/**
 * Jobs as the dispatcher, worker channel and sweeper see them. Every state change goes
 * through `applyTransition`: one atomic findOneAndUpdate of a state-machine description.
 */

/**
 * Applies one transition; null when the job was not in the expected state (nothing changed).
 * The job comes back as plain data (with `id`): every claim, start and completion goes through
 * here, so it goes to the driver directly (job-driver-cast.ts says why and what it casts).
 */
export async function applyTransition(t: Transition): Promise<JobDoc | null> {
  const job = await jobsCollection().findOneAndUpdate(castJobFilter(t.filter), castJobUpdate(t.update), {
    returnDocument: 'after',
    ...(t.sort ? { sort: t.sort } : {}),
  });
  return job ? withId(job as unknown as Job & { _id: Types.ObjectId }) : null;
}

/**
 * Inserts a new job, its fields cast and the schema's defaults and timestamps applied as a
 * mongoose document would, without building one: on the path from submit to start, building
 * the document costs more than the insert. Comes back as plain data with `id`.
 * The caller has validated the input (domain rules); a cast error still throws here.
 */
export async function insertJob(fields: Partial<Job>): Promise<JobDoc> {
  const doc = JobModel.castObject(fields) as Job & { _id: Types.ObjectId }; // a new object
  JobModel.applyDefaults(doc);
  JobModel.applyTimestamps(doc);
  doc.claimKey = claimKeyOf(doc);
  const versionKey = JobModel.schema.get('versionKey');
  if (typeof versionKey === 'string') (doc as unknown as Record<string, unknown>)[versionKey] = 0;
  await jobsCollection().insertOne(doc as unknown as Record<string, unknown>);
  return withId(doc);
}

function withId(job: Job & { _id: Types.ObjectId }): JobDoc {
  return Object.assign(job, { id: job._id.toHexString() });
}

/**
 * Reserves `bytes` of the log cap for a fenced attempt (one atomic conditional update); only the
 * two fields the caller needs come back, unhydrated. Null: not this worker's lease any more.
 * Every appendLogs call makes it, so it goes to the driver directly (a third of its cost was
 * mongoose building and casting the query): the fence's ids are cast here, and `updatedAt` is
 * stamped as the schema's timestamps would.
 */
export async function reserveLogBytes(ref: LeaseRef, bytes: number): Promise<{ logBytes: number; logTruncated?: boolean } | null> {
  const filter = fence({ ...ref, jobId: asObjectId(ref.jobId), workerId: asObjectId(ref.workerId) });
  return jobsCollection().findOneAndUpdate(filter as Record<string, unknown>, { $inc: { logBytes: bytes }, $set: { updatedAt: new Date() } }, {
    returnDocument: 'after',
    projection: { logBytes: 1, logTruncated: 1 },
  }) as Promise<{ logBytes: number; logTruncated?: boolean } | null>;
}

/** Marks that the job's log reached its cap (the SYSTEM line saying so is stored with the batch). */
export async function markLogTruncated(jobId: Id): Promise<void> {
  await JobModel.updateOne({ _id: jobId }, { $set: { logTruncated: true } }).exec();
}

/** The job as the fenced attempt holds it (null: not this worker's lease any more). */
export async function findFenced(ref: LeaseRef): Promise<JobDoc | null> {
  return JobModel.findOne(fence(ref) as QueryFilter<Job>).exec();
}

export async function findJob(jobId: Id): Promise<JobDoc | null> {
  return JobModel.findById(jobId).exec();
}

/** Leases held by one worker (ASSIGNED or RUNNING): its used slots. */
export async function countLeased(workerId: Id): Promise<number> {
  return JobModel.countDocuments({ workerId, status: { $in: [...LEASED_JOB_STATUSES] } }).exec();
}

/** The attempts leased to one worker, as ids only (the dispatcher's view of its slots). */
export async function leasedAttempts(workerId: Id): Promise<Array<{ _id: unknown; attempt: number }>> {
  return JobModel.find({ workerId, status: { $in: [...LEASED_JOB_STATUSES] } })
    .select({ _id: 1, attempt: 1 })
    .lean<Array<{ _id: unknown; attempt: number }>>()
    .exec();
}

/**
 * Every leased attempt, as ids keyed by worker id: the slots of many workers in one read. (Not
 * by a `$in` of worker ids: the embedded store matches a `$in` in time proportional to its list
 * for every candidate, which for a thousand workers costs more than reading every lease.)
 */
export async function leasedAttemptsByWorker(): Promise<Map<string, Array<{ _id: unknown; attempt: number }>>> {
  const rows = await JobModel.find({ status: { $in: [...LEASED_JOB_STATUSES] } })
    .select({ _id: 1, attempt: 1, workerId: 1 })
    .lean<Array<{ _id: unknown; attempt: number; workerId?: Types.ObjectId | null }>>()
    .exec();
  const out = new Map<string, Array<{ _id: unknown; attempt: number }>>();
  for (const r of rows) {
    if (!r.workerId) continue;
    const key = r.workerId.toHexString();
    const list = out.get(key) ?? [];
    list.push({ _id: r._id, attempt: r.attempt });
    out.set(key, list);
  }
  return out;
}

/** The claim keys of the jobs queued (domain/claim-key.ts): one index skip per kind, not a read of the queue. */
export async function distinctQueuedClaimKeys(): Promise<unknown[]> {
  return JobModel.distinct('claimKey', { status: JobStatus.QUEUED }).exec();
}

/**
 * What a claim with transition `t` could take now, best first, without taking it: the
 * candidates' ids and what decides who may run them. At most `limit`.
 */
export async function findClaimable(t: Transition, limit: number): Promise<Array<Pick<Job, 'requirements' | 'sandbox'> & { _id: Types.ObjectId }>> {
  return JobModel.find(t.filter as QueryFilter<Job>)
    .sort(t.sort ?? {})
    .limit(limit)
    .select({ _id: 1, requirements: 1, sandbox: 1 })
    .lean<Array<Pick<Job, 'requirements' | 'sandbox'> & { _id: Types.ObjectId }>>()
    .exec();
}

export async function findLeasedByWorker(workerId: Id): Promise<JobDoc[]> {
  return JobModel.find({ workerId, status: { $in: [...LEASED_JOB_STATUSES] } }).exec();
}

/** Brings a worker's leases that run past `until` forward to it (its socket closed). */
export async function shortenLeases(workerId: Id, until: Date): Promise<number> {
  const res = await JobModel.updateMany(
    { workerId, status: { $in: [...LEASED_JOB_STATUSES] }, leaseExpiresAt: { $gt: until } },
    { $set: { leaseExpiresAt: until } },
  ).exec();
  return res.modifiedCount;
}

/** Leased jobs whose lease ran out before `before` (sweeper), oldest first, bounded per pass. */
export async function findLapsed(before: Date, limit: number): Promise<JobDoc[]> {
  return JobModel.find({ status: { $in: [...LEASED_JOB_STATUSES] }, leaseExpiresAt: { $lt: before } })
    .sort({ leaseExpiresAt: 1 })
    .limit(limit)
    .exec();
}

/** Running jobs that have a timeout; few (bounded by total worker capacity). */
export async function findRunningWithTimeout(limit: number): Promise<JobDoc[]> {
  return JobModel.find({ status: JobStatus.RUNNING, timeoutSeconds: { $gt: 0 } })
    .limit(limit)
    .exec();
}

/** Keeps the displayed `running` count in step with a lease taken (+1) or given up (-1). */
export async function adjustWorkerRunning(workerId: Id | null | undefined, delta: number): Promise<DocumentType<Worker> | null> {
  if (workerId == null) return null;
  return WorkerModel.findOneAndUpdate({ _id: workerId }, { $inc: { running: delta } }, { returnDocument: 'after' }).exec();
}

/**
 * Applies several transitions with one store round trip for the writes (one `update` command,
 * unordered: each statement stands alone, fenced by its own filter, so a refused one refuses
 * only itself), then reads the jobs back in one more. An update that matched leaves no mark of
 * its own, so `applied(job, i)` says whether the job as it now is shows transition i took
 * effect (e.g. the `now` it wrote). Null where it did not (nothing changed for that one).
 * Each transition names one job (`filter._id`), and no job twice. A single transition goes
 * as `applyTransition` (one round trip, the job in its answer).
 */
export async function applyTransitions(ts: readonly Transition[], applied: (job: JobDoc, i: number) => boolean): Promise<Array<JobDoc | null>> {
  if (ts.length === 0) return [];
  // One transition: the atomic update answers with the job itself, one round trip instead of two.
  if (ts.length === 1) return [await applyTransition(ts[0])];
  const now = new Date();
  const res = await jobsCollection().bulkWrite(
    ts.map((t) => ({ updateOne: { filter: castJobFilter(t.filter), update: castJobUpdate(t.update, now) } })),
    { ordered: false },
  );
  if (res.matchedCount === 0) return ts.map(() => null);
  const byId = await findPlain(ts.map((t) => t.filter._id));
  return ts.map((t, i) => {
    const job = byId.get(String(t.filter._id));
    return job && applied(job, i) ? job : null;
  });
}

/**
 * The claim for several free slots at once: the best `limit` candidates (one read), claimed
 * with one conditional update over them (a candidate another replica took meanwhile no
 * longer matches the claim's filter and is left alone), read back (one more). `mine` says
 * which of them this claim took. In the claim's order (priority, then queued first).
 */
export async function claimSeveral(t: Transition, limit: number, mine: (job: JobDoc) => boolean): Promise<JobDoc[]> {
  const filter = castJobFilter(t.filter);
  const picked = await jobsCollection()
    .find(filter, { sort: t.sort ?? {}, limit, projection: { _id: 1 } })
    .toArray();
  if (picked.length === 0) return [];
  if (picked.length === 1) {
    // One candidate: the single atomic claim of it answers with the job itself (a read less).
    const job = await applyTransition({ filter: { ...t.filter, _id: picked[0]._id }, update: t.update });
    return job && mine(job) ? [job] : [];
  }
  const ids = picked.map((p) => p._id);
  const res = await jobsCollection().updateMany({ ...filter, _id: { $in: ids } }, castJobUpdate(t.update));
  if (res.matchedCount === 0) return [];
  const byId = await findPlain(ids);
  return ids.map((id) => byId.get(String(id))).filter((job): job is JobDoc => job !== undefined && mine(job));
}

/** Jobs by id as plain data with `id`, keyed by the id's hex string. */
async function findPlain(ids: readonly unknown[]): Promise<Map<string, JobDoc>> {
  const docs = (await jobsCollection().find(castJobFilter({ _id: { $in: [...ids] } })).toArray()) as unknown as Array<Job & { _id: Types.ObjectId }>;
  return new Map(docs.map((d) => [d._id.toHexString(), withId(d)]));
}
