import { AttemptEndReason, JobStatus, LEASED_JOB_STATUSES, SandboxKind, TERMINAL_JOB_STATUSES } from './enums';

export { AttemptEndReason };

/**
 * The job state machine as pure data. Each transition is a description — the filter naming
 * the state the job must be in (status, and for worker calls the attempt and worker that
 * hold the lease) and the update that moves it — which storage applies as ONE atomic
 * `findOneAndUpdate`. No match means the job was not in that state: nothing changes, and the
 * caller decides (CONFLICT for a fenced worker call, "already done" for a sweeper pass).
 *
 * ```
 * QUEUED ──claim──▶ ASSIGNED ──start──▶ RUNNING ──complete──▶ SUCCEEDED | FAILED | TIMED_OUT | CANCELED
 *  (new ──assignedAtInsert──▶ ASSIGNED when an idle worker has nothing queued for it)
 *   ▲                  │                   │
 *   └── requeue (attempt+1, backoff) ◀─────┴── lease lost / never started
 * ```
 *
 * Ids are passed through untouched (ObjectId or string): mongoose casts them.
 */

export type Filter = Record<string, unknown>;
export type Update = Record<string, unknown>;

export interface Transition {
  filter: Filter;
  update: Update;
  /** Only for picks among several candidates (claim). */
  sort?: Record<string, 1 | -1>;
}

/** One attempt of one job as held by one worker: the fencing token of every worker call. */
export interface LeaseRef {
  jobId: unknown;
  attempt: number;
  workerId: unknown;
}

export interface ClaimingWorker {
  workerId: unknown;
  labels: readonly string[];
  sandboxes: readonly SandboxKind[];
}

const leased = { $in: [...LEASED_JOB_STATUSES] };

/** The filter every job-scoped worker call carries: this attempt, this worker, lease held. */
export function fence(ref: LeaseRef): Filter {
  return { _id: ref.jobId, attempt: ref.attempt, workerId: ref.workerId, status: leased };
}

/**
 * The best QUEUED job this worker may run: not backing off, every requirement among the
 * worker's labels, a sandbox kind the worker has. Sorted to match the index
 * `{status: 1, priority: -1, queuedAt: 1}`; with `keys` (the claim keys of the kinds of job
 * queued that the worker may run, see claim-key.ts), the index `{status: 1, claimKey: 1,
 * priority: -1, queuedAt: 1}`, which skips the kinds it may not run. Null is among the keys:
 * jobs stored before claim keys have none, and the filter decides for them.
 */
export function claim(worker: ClaimingWorker, now: Date, leaseMs: number, keys?: readonly string[]): Transition {
  return {
    filter: {
      status: JobStatus.QUEUED,
      ...(keys ? { claimKey: { $in: [...keys, null] } } : {}),
      // `$not: {$gt}` also matches a missing or null notBefore.
      notBefore: { $not: { $gt: now } },
      // requirements ⊆ labels: no requirement outside the labels.
      requirements: { $not: { $elemMatch: { $nin: [...worker.labels] } } },
      // `$in` with null also matches a missing field.
      sandbox: { $in: [...worker.sandboxes, null] },
    },
    sort: { priority: -1, queuedAt: 1 },
    update: {
      $set: {
        status: JobStatus.ASSIGNED,
        workerId: worker.workerId,
        assignedAt: now,
        leaseExpiresAt: new Date(now.getTime() + leaseMs),
      },
      $unset: { notBefore: 1 },
    },
  };
}

/** Whether a worker may run a job: the claim's filter (less queue state), decided in memory. */
export function canRun(worker: Pick<ClaimingWorker, 'labels' | 'sandboxes'>, job: { requirements?: readonly string[] | null; sandbox?: SandboxKind | null }): boolean {
  const labels = new Set(worker.labels);
  return (job.requirements ?? []).every((r) => labels.has(r)) && (job.sandbox == null || worker.sandboxes.includes(job.sandbox));
}

/**
 * A new job claimed at its insert: it goes in ASSIGNED to a worker that sits idle with nothing
 * queued for it (so the claim would have picked this job), saving the claim's round trip.
 * Not a transition of an existing document: the insert itself is the one atomic write.
 */
export function assignedAtInsert(worker: ClaimingWorker, now: Date, leaseMs: number): Update {
  return { status: JobStatus.ASSIGNED, workerId: worker.workerId, assignedAt: now, leaseExpiresAt: new Date(now.getTime() + leaseMs) };
}

/** The worker reports the process started. Renews the lease too. */
export function start(ref: LeaseRef, now: Date, leaseMs: number): Transition {
  return {
    filter: { ...fence(ref), status: JobStatus.ASSIGNED, cancelRequestedAt: null },
    update: { $set: { status: JobStatus.RUNNING, startedAt: now, leaseExpiresAt: new Date(now.getTime() + leaseMs) } },
  };
}

export function renewLease(ref: LeaseRef, now: Date, leaseMs: number): Transition {
  return { filter: fence(ref), update: { $set: { leaseExpiresAt: new Date(now.getTime() + leaseMs) } } };
}

/** What the worker says happened to the process. */
export interface JobResult {
  exitCode?: number | null;
  signal?: string | null;
  error?: string | null;
  canceled?: boolean | null;
  timedOut?: boolean | null;
  /** The agent stopped the process because it shut down (not the job's doing, not a cancel). */
  agentShutdown?: boolean | null;
  /**
   * Sent instead of a startJob when the process ended before its start report was due: how long
   * it ran (spawn to exit, on the agent's clock). The attempt is recorded as started that long
   * before it finished.
   */
  ranForMs?: number | null;
}

export interface Outcome {
  status: JobStatus;
  exitCode?: number;
  signal?: string;
  error?: string;
}

/**
 * The final status a worker's result means. Only a lost lease is retried: a non-zero exit
 * is the command's answer, and running it again would not change it.
 */
export function outcomeOf(result: JobResult, cancelRequested: boolean, timeoutSeconds?: number | null): Outcome {
  const exit = result.exitCode ?? undefined;
  const base = { exitCode: exit, signal: result.signal ?? undefined };
  if (result.error && exit === undefined) return { status: JobStatus.FAILED, ...base, error: result.error };
  if (result.canceled && cancelRequested) return { status: JobStatus.CANCELED, ...base };
  if (result.timedOut) {
    return { status: JobStatus.TIMED_OUT, ...base, error: `timed out after ${timeoutSeconds ?? '?'} s` };
  }
  // Stopped by the worker itself (agent shutdown) without anyone asking: not a success.
  if (result.canceled) return { status: JobStatus.FAILED, ...base, error: result.error ?? 'stopped by the worker' };
  // An error with exit 0 is a limit the worker saw the job hit (a refused fork it survived).
  if (exit === 0 && !result.error) return { status: JobStatus.SUCCEEDED, ...base };
  return { status: JobStatus.FAILED, ...base, ...(result.error ? { error: result.error } : {}) };
}

function finish(outcome: Outcome, now: Date): Update {
  const $set: Record<string, unknown> = { status: outcome.status, finishedAt: now };
  const $unset: Record<string, 1> = { leaseExpiresAt: 1 };
  for (const key of ['exitCode', 'signal', 'error'] as const) {
    if (outcome[key] !== undefined) $set[key] = outcome[key];
    else $unset[key] = 1;
  }
  return { $set, $unset };
}

/**
 * The worker's result. The filter pins whether a cancel was requested, because that decides
 * CANCELED vs FAILED: a cancel landing between the read and this update makes it miss, and
 * the caller reads again.
 */
export function complete(ref: LeaseRef, result: JobResult, cancelRequested: boolean, timeoutSeconds: number | null | undefined, now: Date): Transition {
  const outcome = outcomeOf(result, cancelRequested, timeoutSeconds);
  const reason = outcome.status === JobStatus.CANCELED ? AttemptEndReason.CANCELED : AttemptEndReason.FINISHED;
  const update = recordEnd(finish(outcome, now), { attempt: ref.attempt, workerId: ref.workerId, endedAt: now, status: outcome.status, reason });
  const filter: Filter = { ...fence(ref), cancelRequestedAt: cancelRequested ? { $ne: null } : null };
  if (result.ranForMs != null) {
    // No startJob came for this attempt: it goes from ASSIGNED straight to its end, started
    // when the agent says. Pinned to ASSIGNED so a recorded start is never overwritten.
    filter.status = JobStatus.ASSIGNED;
    (update.$set as Record<string, unknown>).startedAt = new Date(now.getTime() - Math.max(0, Math.round(result.ranForMs)));
  }
  return { filter, update };
}

/**
 * The agent shut down and stopped this attempt itself: requeued like a lost attempt (free
 * retries first), fenced like every worker call. A cancel requested meanwhile makes it miss:
 * the caller completes it as canceled instead.
 */
export function requeueShutdown(ref: LeaseRef, job: { maxAttempts: number; lostRetries?: number | null; startedAt?: Date | null }, now: Date, backoffMs: number, freeRetries: number): Transition {
  const t = requeueLost(
    { jobId: ref.jobId, attempt: ref.attempt, maxAttempts: job.maxAttempts, status: JobStatus.RUNNING, lostRetries: job.lostRetries, workerId: ref.workerId, startedAt: job.startedAt },
    now,
    backoffMs,
    { reason: AttemptEndReason.AGENT_SHUTDOWN, freeRetries, workerId: ref.workerId },
  );
  // Stopped before or after startJob was accepted: either leased status.
  return { ...t, filter: { ...t.filter, status: leased } };
}

/** One ended attempt, pushed onto the job's history by the update that ends it. */
export interface AttemptEnd {
  attempt: number;
  workerId?: unknown;
  startedAt?: Date | null;
  endedAt: Date;
  status: JobStatus;
  reason: AttemptEndReason;
}

function recordEnd(update: Update, end: AttemptEnd): Update {
  const entry: Record<string, unknown> = { attempt: end.attempt, endedAt: end.endedAt, status: end.status, endReason: end.reason };
  if (end.workerId != null) entry.workerId = end.workerId;
  if (end.startedAt) entry.startedAt = end.startedAt;
  return { ...update, $push: { attempts: entry } };
}

/** The lease of an attempt that ran is gone (worker dead, cut off, restarted without it, or shut down). */
export interface LostAttempt {
  jobId: unknown;
  attempt: number;
  maxAttempts: number;
  status: JobStatus;
  /** Lost attempts already retried without using up maxAttempts (missing on old jobs: 0). */
  lostRetries?: number | null;
  workerId?: unknown;
  startedAt?: Date | null;
}

export const WORKER_LOST = 'worker lost';

const releaseLease = { workerId: 1, assignedAt: 1, leaseExpiresAt: 1, startedAt: 1 };

export interface LostOptions {
  reason: AttemptEndReason.WORKER_LOST | AttemptEndReason.AGENT_SHUTDOWN | AttemptEndReason.LEASE_LAPSED;
  /** Lost attempts retried for free per job (LOST_ATTEMPT_RETRIES). */
  freeRetries: number;
  /** Sweeper: the lease must also have expired, so a heartbeat that renewed it first wins. */
  lapsedBefore?: Date;
  /** Agent shutdown: the attempt is identified by its worker too (the fence of a worker call). */
  workerId?: unknown;
}

/**
 * A lost attempt is the platform's fault, not the job's: it goes back to the queue as the next
 * attempt after a backoff without using up maxAttempts, up to `freeRetries` times per job.
 * Past that it uses up an attempt like any retry, and ends FAILED "worker lost" when none is
 * left. The filter pins the lost-retry count the decision was made on, so two passes cannot
 * both spend the same free retry.
 */
export function requeueLost(job: LostAttempt, now: Date, backoffMs: number, opts: LostOptions): Transition {
  const used = job.lostRetries ?? 0;
  const filter: Filter = {
    _id: job.jobId,
    attempt: job.attempt,
    status: job.status,
    cancelRequestedAt: null,
    // `$in` with null also matches a job stored before the field existed.
    lostRetries: used === 0 ? { $in: [0, null] } : used,
  };
  if (opts.workerId !== undefined) filter.workerId = opts.workerId;
  if (opts.lapsedBefore) filter.leaseExpiresAt = { $lt: opts.lapsedBefore };
  const free = used < opts.freeRetries;
  const end = { attempt: job.attempt, workerId: job.workerId ?? opts.workerId, startedAt: job.startedAt, endedAt: now, reason: opts.reason };
  if (!free && job.attempt >= job.maxAttempts) {
    return { filter, update: recordEnd(finish({ status: JobStatus.FAILED, error: WORKER_LOST }, now), { ...end, status: JobStatus.FAILED }) };
  }
  return {
    filter,
    update: recordEnd(
      {
        $set: { status: JobStatus.QUEUED, notBefore: new Date(now.getTime() + backoffMs), lostRetries: used + (free ? 1 : 0) },
        $inc: free ? { attempt: 1, maxAttempts: 1 } : { attempt: 1 },
        $unset: releaseLease,
      },
      { ...end, status: JobStatus.QUEUED },
    ),
  };
}

/** The SYSTEM line's note when a lost attempt was retried without using up one of maxAttempts. */
export function freeRetryNote(before: { maxAttempts: number }, after: { maxAttempts: number; lostRetries?: number | null }): string {
  return after.maxAttempts > before.maxAttempts ? ` (lost to the platform: does not count against maxAttempts; free retry ${after.lostRetries ?? 0})` : '';
}

/**
 * An ASSIGNED attempt that never started (the ASSIGN was lost, or the worker restarted before
 * starting it) goes straight back to the queue. The attempt number moves on so a late
 * startJob for the old one is fenced out, and maxAttempts with it: nothing ran, so no try was
 * used up.
 */
export function requeueUnstarted(job: { jobId: unknown; attempt: number; workerId?: unknown }, now: Date, lapsedBefore?: Date): Transition {
  const filter: Filter = { _id: job.jobId, attempt: job.attempt, status: JobStatus.ASSIGNED, cancelRequestedAt: null };
  if (lapsedBefore) filter.leaseExpiresAt = { $lt: lapsedBefore };
  return {
    filter,
    update: recordEnd(
      { $set: { status: JobStatus.QUEUED }, $inc: { attempt: 1, maxAttempts: 1 }, $unset: releaseLease },
      { attempt: job.attempt, workerId: job.workerId, endedAt: now, status: JobStatus.QUEUED, reason: AttemptEndReason.NOT_STARTED },
    ),
  };
}

/** Past timeoutSeconds (plus grace): the platform ends it; the worker is told to stop. */
export function timeOut(job: { jobId: unknown; attempt: number; workerId?: unknown; startedAt?: Date | null }, timeoutSeconds: number, now: Date): Transition {
  return {
    filter: { _id: job.jobId, attempt: job.attempt, status: JobStatus.RUNNING },
    update: recordEnd(finish({ status: JobStatus.TIMED_OUT, error: `timed out after ${timeoutSeconds} s` }, now), {
      attempt: job.attempt,
      workerId: job.workerId,
      startedAt: job.startedAt,
      endedAt: now,
      status: JobStatus.TIMED_OUT,
      reason: AttemptEndReason.TIMED_OUT,
    }),
  };
}

/**
 * A cancel that no worker will confirm: the job was only assigned (nothing started), or its
 * worker's lease lapsed.
 */
export function finalizeCancel(job: { jobId: unknown; attempt: number; workerId?: unknown; startedAt?: Date | null }, now: Date, opts: { onlyAssigned?: boolean; lapsedBefore?: Date } = {}): Transition {
  const filter: Filter = {
    _id: job.jobId,
    attempt: job.attempt,
    status: opts.onlyAssigned ? JobStatus.ASSIGNED : leased,
    cancelRequestedAt: { $ne: null },
  };
  if (opts.lapsedBefore) filter.leaseExpiresAt = { $lt: opts.lapsedBefore };
  const end = { attempt: job.attempt, workerId: job.workerId, startedAt: job.startedAt, endedAt: now, status: JobStatus.CANCELED, reason: AttemptEndReason.CANCELED };
  return { filter, update: recordEnd(finish({ status: JobStatus.CANCELED }, now), end) };
}

// ---- user-side transitions (job.service) ----

/** A queued job is canceled on the spot: no worker holds it. */
export function cancelQueued(jobId: unknown, now: Date): Transition {
  return {
    filter: { _id: jobId, status: JobStatus.QUEUED },
    update: { $set: { status: JobStatus.CANCELED, cancelRequestedAt: now, finishedAt: now } },
  };
}

/** A leased job: record the request; the worker (or the sweeper) finishes it. */
export function requestCancel(jobId: unknown, now: Date): Transition {
  return {
    filter: { _id: jobId, status: leased, cancelRequestedAt: null },
    update: { $set: { cancelRequestedAt: now } },
  };
}

/** A finished job runs again as the next attempt, with a fresh budget of tries. */
export function retry(job: { jobId: unknown; attempt: number; maxAttempts: number }, now: Date): Transition {
  return {
    filter: { _id: job.jobId, attempt: job.attempt, status: { $in: [...TERMINAL_JOB_STATUSES] } },
    update: {
      $set: { status: JobStatus.QUEUED, queuedAt: now, maxAttempts: job.attempt + job.maxAttempts, logTruncated: false, logBytes: 0, lostRetries: 0 },
      $inc: { attempt: 1 },
      $unset: { ...releaseLease, finishedAt: 1, exitCode: 1, signal: 1, error: 1, cancelRequestedAt: 1, notBefore: 1 },
    },
  };
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

export function isLeased(status: JobStatus): boolean {
  return LEASED_JOB_STATUSES.includes(status);
}
