import { Types, isValidObjectId } from 'mongoose';
import { isAdmin } from '../auth/principal';
import { JobStatus } from '../domain/enums';
import { validateCreateJob, type CreateJobData } from '../domain/job-input.rules';
import * as machine from '../domain/job-state-machine';
import { decodeJobCursor, encodeJobCursor } from '../domain/job-cursor';
import { BadUserInputError, ConflictError, NotFoundError } from '../errors';
import type { PubSubPort } from '../storage/pubsub';
import type { JobDoc } from '../storage/repositories/documents';
import { isDuplicateKey } from '../storage/repositories/duplicate-key';
import { applyTransition, insertJob } from '../storage/repositories/job-lease.repository';
import { findByIdempotencyKey, findJobById, listJobs, listJobsChangedSince, releaseIdempotencyKey } from '../storage/repositories/job.repository';
import type { UserPrincipal } from '../auth/principal';
import type { AuditService } from './audit.service';
import type { JobDispatchHooks } from './job-dispatch.port';
import { publishJobUpdated } from './job-events';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
export const JOBS_PAGE = { default: 20, max: 100 } as const;

export interface JobPage {
  edges: Array<{ cursor: string; node: JobDoc }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The user side of jobs: submit, read, list, cancel, retry. Access is checked here, not in resolvers. */
export class JobService {
  constructor(
    private readonly pubsub: PubSubPort,
    private readonly audit: AuditService,
    private readonly dispatch: JobDispatchHooks,
  ) {}

  canSee(user: UserPrincipal, job: { createdById: unknown }): boolean {
    return isAdmin(user) || String(job.createdById) === user.userId;
  }

  /** NOT_FOUND for other users' jobs too: their existence is not the caller's business. */
  async get(user: UserPrincipal, id: string): Promise<JobDoc> {
    const job = isValidObjectId(id) ? await findJobById(id) : null;
    if (!job || !this.canSee(user, job)) throw new NotFoundError('job not found');
    return job;
  }

  async create(user: UserPrincipal, input: CreateJobData): Promise<JobDoc> {
    const valid = validateCreateJob(input);
    const createdById = new Types.ObjectId(user.userId);
    if (valid.idempotencyKey !== undefined) {
      const existing = await this.withinIdempotencyWindow(createdById, valid.idempotencyKey);
      if (existing) return existing;
    }
    let job: JobDoc;
    const now = new Date();
    // An idle worker with nothing queued for it takes the job at its insert: one write less
    // between submit and start.
    const direct = this.dispatch.assignAtInsert(valid, now);
    try {
      job = await insertJob({ ...valid, createdById, status: JobStatus.QUEUED, attempt: 1, queuedAt: now, ...direct?.fields });
    } catch (err) {
      direct?.release();
      // Two requests with one key raced: the unique index let one in; answer with that one.
      if (isDuplicateKey(err) && valid.idempotencyKey !== undefined) {
        const winner = await findByIdempotencyKey(createdById, valid.idempotencyKey);
        if (winner) return winner;
      }
      throw err;
    }
    if (direct) {
      await direct.deliver(job);
      return job;
    }
    // Both awaited (a failure fails the call), neither waits for the other; the dispatch pass
    // the wake starts is not awaited: the dispatcher logs its errors and its tick retries.
    await Promise.all([publishJobUpdated(this.pubsub, job), this.dispatch.onJobQueued(job)]);
    return job;
  }

  /** Newest first by (createdAt, _id): a stable total order, so pages never repeat or skip a job. */
  async list(user: UserPrincipal, opts: { status?: JobStatus[] | null; first?: number | null; after?: string | null }): Promise<JobPage> {
    const first = opts.first ?? JOBS_PAGE.default;
    if (!Number.isInteger(first) || first < 1 || first > JOBS_PAGE.max) {
      throw new BadUserInputError('first', `must be from 1 to ${JOBS_PAGE.max}`);
    }
    let after: { createdAt: Date; id: Types.ObjectId } | undefined;
    if (opts.after) {
      const c = decodeJobCursor(opts.after);
      if (!c) throw new BadUserInputError('after', 'invalid cursor');
      after = { createdAt: c.createdAt, id: new Types.ObjectId(c.id) };
    }
    const rows = await listJobs({
      createdById: isAdmin(user) ? undefined : new Types.ObjectId(user.userId),
      status: opts.status ?? undefined,
      after,
      limit: first + 1,
    });
    const page = rows.slice(0, first);
    const edges = page.map((node) => ({ cursor: encodeJobCursor(node.createdAt, node.id), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /**
   * The jobs `user` may see that changed at or after `since`, oldest change first, one page
   * (`after`: the last job of the previous page). What a subscriber reads when its live events
   * may have been lost.
   */
  async changedSince(user: UserPrincipal, since: Date, limit: number, after?: { updatedAt: Date; id: string }): Promise<JobDoc[]> {
    return listJobsChangedSince({
      createdById: isAdmin(user) ? undefined : new Types.ObjectId(user.userId),
      since,
      after: after && { updatedAt: after.updatedAt, id: new Types.ObjectId(after.id) },
      limit,
    });
  }

  /**
   * QUEUED: CANCELED at once. ASSIGNED/RUNNING: cancelRequestedAt is set and the worker is told;
   * the job ends when it confirms (or the sweeper finds the worker gone). Asking twice is harmless.
   */
  /** `from`: the address of the request (an admin's cancel of another's job is audited). */
  async cancel(user: UserPrincipal, id: string, from?: string): Promise<JobDoc> {
    let job = await this.get(user, id);
    // A status can move between our read and our write (a claim): re-read and try the next rule.
    for (let round = 0; round < 3; round += 1) {
      if (machine.isTerminal(job.status)) {
        if (job.status === JobStatus.CANCELED) return job;
        throw new ConflictError(`job already finished (${job.status})`);
      }
      if (job.cancelRequestedAt) {
        // Asked before: tell the worker again (the first CANCEL may have been lost), change nothing else.
        return (await this.dispatch.onCancelRequested(job)) ?? job;
      }
      const now = new Date();
      const t = job.status === JobStatus.QUEUED ? machine.cancelQueued(job._id, now) : machine.requestCancel(job._id, now);
      const updated = await applyTransition(t);
      if (updated) {
        await this.auditIfAdmin(user, 'job.cancel', updated, from);
        await publishJobUpdated(this.pubsub, updated);
        if (updated.status === JobStatus.CANCELED) return updated;
        const after = await this.dispatch.onCancelRequested(updated);
        return after ?? updated;
      }
      job = await this.get(user, id);
    }
    throw new ConflictError('job changed while canceling; try again');
  }

  /** A finished job runs again as its next attempt. */
  async retry(user: UserPrincipal, id: string, from?: string): Promise<JobDoc> {
    const job = await this.get(user, id);
    if (!machine.isTerminal(job.status)) throw new ConflictError(`only a finished job can be retried (it is ${job.status})`);
    const t = machine.retry({ jobId: job._id, attempt: job.attempt, maxAttempts: job.maxAttempts }, new Date());
    const updated = await applyTransition(t);
    if (!updated) throw new ConflictError('job changed meanwhile; try again');
    await this.auditIfAdmin(user, 'job.retry', updated, from);
    await publishJobUpdated(this.pubsub, updated);
    await this.dispatch.onJobQueued(updated);
    return updated;
  }

  /** The job submitted with this key within the window; an older one gives the key up. */
  private async withinIdempotencyWindow(createdById: Types.ObjectId, key: string): Promise<JobDoc | null> {
    const cutoff = new Date(Date.now() - IDEMPOTENCY_WINDOW_MS);
    const existing = await findByIdempotencyKey(createdById, key);
    if (!existing) return null;
    if (existing.createdAt > cutoff) return existing;
    // Older than the window: the key is free again. Unset it so the unique index lets a new job have it.
    await releaseIdempotencyKey(existing._id, key);
    return null;
  }

  private async auditIfAdmin(user: UserPrincipal, action: 'job.cancel' | 'job.retry', job: JobDoc, from: string | undefined): Promise<void> {
    if (isAdmin(user)) await this.audit.record({ id: user.userId, name: user.username, address: from }, action, job.id, { owner: String(job.createdById) });
  }
}
