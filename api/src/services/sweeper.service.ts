import { JobStatus } from '../domain/enums';
import * as machine from '../domain/job-state-machine';
import { retryBackoffMs, silentSince, sweeperLockTtlMs, timeoutDeadline, type LeaseSettings } from '../domain/lease';
import type { Logger } from '../logger';
import type { LockPort } from '../storage/lock';
import type { PubSubPort } from '../storage/pubsub';
import type { JobDoc } from '../storage/repositories/documents';
import { findLapsed, findRunningWithTimeout } from '../storage/repositories/job-lease.repository';
import { findSilentWorkers, markOffline, reconcileRunning } from '../storage/repositories/worker.repository';
import type { DispatchService, LeaseEndLine } from './dispatch.service';
import { publishWorkerUpdated } from './job-events';

export interface SweeperDeps {
  pubsub: PubSubPort;
  logger: Logger;
  lock: LockPort;
  lease: LeaseSettings;
  /** Ends leases (the one path) and tells workers to stop. */
  dispatcher: DispatchService;
  /** Lock key (the lock adds the deployment prefix). */
  lockKey?: string;
}

/** What one pass did (tests and logs). */
export interface SweepReport {
  requeued: number;
  failed: number;
  timedOut: number;
  canceled: number;
  offline: number;
}

const BATCH = 200;

/**
 * "What happens when a worker dies", in one place. Exactly one replica sweeps at a time (it
 * holds the lock, renews it every pass, and only the owner releases it). Each pass:
 * - leases that lapsed: a canceled job ends CANCELED; an attempt never started goes back to the
 *   queue; a running one is retried after a backoff, or FAILED "worker lost" when no attempt is left;
 * - running jobs past timeoutSeconds (+ grace) end TIMED_OUT and their worker gets CANCEL;
 * - workers silent for a lease are marked OFFLINE;
 * - each worker's `running` count is rechecked against its jobs.
 * Every change is a fenced transition, so a heartbeat or a result that lands first wins, and
 * each job event leaves a SYSTEM line in the attempt's log.
 */
export class SweeperService {
  private timer?: NodeJS.Timeout;
  private token: string | null = null;
  private current?: Promise<unknown>;
  private closed = false;
  private readonly key: string;
  private readonly startedAt = Date.now();

  constructor(private readonly deps: SweeperDeps) {
    this.key = deps.lockKey ?? 'lock:sweeper';
  }

  /** Whether this replica is the sweeper right now. */
  get isLeader(): boolean {
    return this.token !== null;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.current) this.current = this.tick().finally(() => (this.current = undefined));
    }, this.deps.lease.sweepIntervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.current;
    if (this.token) {
      const token = this.token;
      this.token = null;
      await this.deps.lock.release(this.key, token).catch(() => false);
    }
  }

  /** Take or keep the lock, then sweep if it is ours. */
  async tick(): Promise<SweepReport | null> {
    if (this.closed) return null;
    const ttl = sweeperLockTtlMs(this.deps.lease);
    try {
      if (this.token) {
        if (!(await this.deps.lock.renew(this.key, this.token, ttl))) {
          this.deps.logger.warn('sweeper lock lost; another replica sweeps now');
          this.token = null;
        }
      } else {
        this.token = await this.deps.lock.tryAcquire(this.key, ttl);
        if (this.token) this.deps.logger.info('this replica is the sweeper');
      }
      if (!this.token || this.closed) return null;
      return await this.sweep(new Date());
    } catch (err) {
      this.deps.logger.error({ err }, 'sweep failed; retrying next pass');
      return null;
    }
  }

  /** One pass (public for tests: it assumes the caller holds the lock). */
  async sweep(now: Date): Promise<SweepReport> {
    const report: SweepReport = { requeued: 0, failed: 0, timedOut: 0, canceled: 0, offline: 0 };
    // Just after this process started (an API restart), leases lapsed while no API was there to
    // renew them: give the workers the reconnect grace to come back before calling them lost.
    if (now.getTime() - this.startedAt >= this.deps.lease.reconnectGraceMs) {
      for (const job of await findLapsed(now, BATCH)) await this.lapsed(job, now, report);
    }
    for (const job of await findRunningWithTimeout(BATCH * 5)) {
      const deadline = timeoutDeadline(job.startedAt, job.timeoutSeconds, this.deps.lease);
      if (deadline && deadline < now) await this.timeOut(job, now, report);
    }
    for (const worker of await findSilentWorkers(silentSince(now, this.deps.lease), BATCH)) {
      const off = await markOffline(worker._id, silentSince(now, this.deps.lease));
      if (off) {
        report.offline += 1;
        this.deps.logger.info({ workerId: off.id, name: off.name }, 'worker silent for a lease: OFFLINE');
        await publishWorkerUpdated(this.deps.pubsub, off);
      }
    }
    await reconcileRunning(1000);
    return report;
  }

  private async lapsed(job: JobDoc, now: Date, report: SweepReport): Promise<void> {
    const ref = { jobId: job._id, attempt: job.attempt };
    // Every renewal sets the expiry one lease ahead, so the last heartbeat came a lease before it.
    const silentFor = job.leaseExpiresAt ? `no heartbeat since ${new Date(job.leaseExpiresAt.getTime() - this.deps.lease.leaseMs).toISOString()}` : 'no heartbeat';
    // Each end is a fenced transition: a heartbeat or a result that got there first wins.
    if (job.cancelRequestedAt) {
      const next = await this.end(job, machine.finalizeCancel({ ...ref, workerId: job.workerId, startedAt: job.startedAt }, now, { lapsedBefore: now }), `attempt ${job.attempt} canceled: the worker stopped responding (${silentFor})`);
      if (next) report.canceled += 1;
    } else if (job.status === JobStatus.ASSIGNED) {
      const line = `attempt ${job.attempt} was not started within its lease; queued again as attempt ${job.attempt + 1}`;
      const next = await this.end(job, machine.requeueUnstarted({ ...ref, workerId: job.workerId }, now, now), line);
      if (next) report.requeued += 1;
    } else {
      const backoff = retryBackoffMs(job.attempt, this.deps.lease);
      const lost = { ...ref, maxAttempts: job.maxAttempts, status: job.status, lostRetries: job.lostRetries, workerId: job.workerId, startedAt: job.startedAt };
      const t = machine.requeueLost(lost, now, backoff, { reason: machine.AttemptEndReason.LEASE_LAPSED, freeRetries: this.deps.lease.lostAttemptRetries, lapsedBefore: now });
      const next = await this.end(job, t, (after) =>
        after.status === JobStatus.QUEUED
          ? `worker lost attempt ${job.attempt} (${silentFor}); retrying as attempt ${after.attempt} in ${backoff} ms${machine.freeRetryNote(job, after)}`
          : `worker lost attempt ${job.attempt} (${silentFor}); no attempts left (${job.attempt} of ${job.maxAttempts})`,
      );
      if (next?.status === JobStatus.QUEUED) report.requeued += 1;
      else if (next) report.failed += 1;
    }
  }

  private async timeOut(job: JobDoc, now: Date, report: SweepReport): Promise<void> {
    const timeoutSeconds = job.timeoutSeconds as number;
    const line = `attempt ${job.attempt} timed out after ${timeoutSeconds} s and the worker did not stop it; sending cancel`;
    const next = await this.end(job, machine.timeOut({ jobId: job._id, attempt: job.attempt, workerId: job.workerId, startedAt: job.startedAt }, timeoutSeconds, now), line);
    if (!next) return;
    report.timedOut += 1;
    if (job.workerId) await this.deps.dispatcher.sendCancel(String(job.workerId), job.id, job.attempt);
  }

  /** Ends the lease through the dispatcher (the one path), and logs what the SYSTEM line says. */
  private async end(job: JobDoc, t: machine.Transition, line: LeaseEndLine): Promise<JobDoc | null> {
    let text = '';
    const next = await this.deps.dispatcher.endLease({ jobId: job._id, attempt: job.attempt, workerId: job.workerId }, t, (after) => {
      text = typeof line === 'string' ? line : line(after);
      return text;
    });
    if (next) this.deps.logger.info({ jobId: job.id, attempt: job.attempt, status: next.status }, text);
    return next;
  }
}

