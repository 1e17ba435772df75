import type { QueryFilter, Types } from 'mongoose';
import type { JobStatus } from '../../domain/enums';
import { Job, JobModel } from '../models';
import type { JobDoc } from './documents';
import type { Id } from './ids';

/**
 * Jobs as people see them: read one, page through them, idempotency keys. State changes go
 * through applyTransition (job-lease.repository), inserts through insertJob.
 */

export async function findJobById(jobId: Id): Promise<JobDoc | null> {
  return JobModel.findById(jobId).exec();
}

export async function findByIdempotencyKey(createdById: Types.ObjectId, key: string): Promise<JobDoc | null> {
  return JobModel.findOne({ createdById, idempotencyKey: key }).exec();
}

/** Frees an expired idempotency key (only while the job still holds it) so the unique index lets a new job take it. */
export async function releaseIdempotencyKey(jobId: Id, key: string): Promise<void> {
  await JobModel.updateOne({ _id: jobId, idempotencyKey: key }, { $unset: { idempotencyKey: 1 } }).exec();
}

export interface JobListQuery {
  /** only this user's jobs (unset: everyone's) */
  createdById?: Types.ObjectId;
  status?: readonly JobStatus[];
  /** strictly after this position in newest-first (createdAt, _id) order */
  after?: { createdAt: Date; id: Types.ObjectId };
  limit: number;
}

/** Newest first by (createdAt, _id): a stable total order, so pages never repeat or skip a job. */
export async function listJobs(q: JobListQuery): Promise<JobDoc[]> {
  const filter: QueryFilter<Job> = {};
  if (q.createdById) filter.createdById = q.createdById;
  if (q.status && q.status.length > 0) filter.status = { $in: [...q.status] };
  if (q.after) filter.$or = [{ createdAt: { $lt: q.after.createdAt } }, { createdAt: q.after.createdAt, _id: { $lt: q.after.id } }];
  return JobModel.find(filter).sort({ createdAt: -1, _id: -1 }).limit(q.limit).exec();
}

export interface JobChangesQuery {
  /** only this user's jobs (unset: everyone's) */
  createdById?: Types.ObjectId;
  /** changed at or after this time */
  since: Date;
  /** strictly after this position in (updatedAt, _id) order: the previous page's last job */
  after?: { updatedAt: Date; id: Types.ObjectId };
  limit: number;
}

/** Jobs changed since a time, oldest change first by (updatedAt, _id): a subscriber catching up reads them in order. */
export async function listJobsChangedSince(q: JobChangesQuery): Promise<JobDoc[]> {
  const filter: QueryFilter<Job> = {};
  if (q.createdById) filter.createdById = q.createdById;
  filter.updatedAt = { $gte: q.since };
  if (q.after) filter.$or = [{ updatedAt: { $gt: q.after.updatedAt } }, { updatedAt: q.after.updatedAt, _id: { $gt: q.after.id } }];
  // Plain data (with `id`), as applyTransition returns: a catch-up may read many, and turns each into a payload.
  const rows = await JobModel.find(filter).sort({ updatedAt: 1, _id: 1 }).limit(q.limit).lean<Array<Job & { _id: Types.ObjectId }>>().exec();
  return rows.map((r) => Object.assign(r, { id: r._id.toHexString() }));
}
