import { JobStatus } from '../domain/enums';
import * as machine from '../domain/job-state-machine';
import { retryBackoffMs, silentSince, sweeperLockTtlMs, timeoutDeadline, type LeaseSettings } from '../domain/lease';
import type { Logger } from '../logger';
import type { LockPort } from '../storage/lock';
import { Topics, type PubSubPort } from '../storage/pubsub';
import {
  applyTransition,
  findLapsed,
  findRunningWithTimeout,
  type JobDoc,
} from '../storage/repositories/job-lease.repository';
import { findSilentWorkers, markOffline, reconcileRunning } from '../storage/repositories/worker.repository';
import type { DispatchService } from './dispatch.service';
import { publishJobUpdated, publishWorkerUpdated } from './job-events';
import type { JobLogService } from './job-log.service';

export interface SweeperDeps {
  pubsub: PubSubPort;
  logger: Logger;
  lock: LockPort;
  lease: LeaseSettings;
  jobLogs: JobLogService;
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
  private readonly wakes = new Set<NodeJS.Timeout>();
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
    this.wakes.forEach((t) => clearTimeout(t));
    this.wakes.clear();
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
    // every renewal sets the expiry one lease ahead: the last one came a lease before it
    const silentFor = job.leaseExpiresAt ? `no heartbeat since ${new Date(job.leaseExpiresAt.getTime() - this.deps.lease.leaseMs).toISOString()}` : 'no heartbeat';
    let next: JobDoc | null;
    let line: string;
    let backoff = 0;
    if (job.cancelRequestedAt) {
      next = await applyTransition(machine.finalizeCancel(ref, now, { lapsedBefore: now }));
      line = `canceled: the worker stopped responding (${silentFor})`;
      if (next) report.canceled += 1;
    } else if (job.status === JobStatus.ASSIGNED) {
      next = await applyTransition(machine.requeueUnstarted(ref, now, now));
      line = `attempt ${job.attempt} was not started within its lease; queued again as attempt ${job.attempt + 1}`;
      if (next) report.requeued += 1;
    } else {
      backoff = retryBackoffMs(job.attempt, this.deps.lease);
      next = await applyTransition(machine.requeueLost({ ...ref, maxAttempts: job.maxAttempts, status: job.status }, now, backoff, now));
      if (next?.status === JobStatus.QUEUED) {
        report.requeued += 1;
        line = `worker lost (${silentFor}); retrying as attempt ${next.attempt} in ${backoff} ms`;
      } else {
        if (next) report.failed += 1;
        line = `worker lost (${silentFor}); no attempts left (${job.attempt} of ${job.maxAttempts})`;
      }
    }
    if (!next) return; // a heartbeat or a result got there first
    await this.settle(job, next, line);
    if (next.status === JobStatus.QUEUED) this.wakeAfter(backoff);
  }

  private async timeOut(job: JobDoc, now: Date, report: SweepReport): Promise<void> {
    const timeoutSeconds = job.timeoutSeconds as number;
    const next = await applyTransition(machine.timeOut({ jobId: job._id, attempt: job.attempt }, timeoutSeconds, now));
    if (!next) return;
    report.timedOut += 1;
    await this.settle(job, next, `timed out after ${timeoutSeconds} s and the worker did not stop it; sending cancel`);
    if (job.workerId) await this.deps.dispatcher.sendCancel(String(job.workerId), job.id, job.attempt);
  }

  /** After a transition away from a lease: the count, the SYSTEM line, then the news. */
  private async settle(before: JobDoc, after: JobDoc, line: string): Promise<void> {
    this.deps.logger.info({ jobId: before.id, attempt: before.attempt, status: after.status }, line);
    await this.deps.dispatcher.adjustRunning(before.workerId, -1);
    // The line goes in before the job update is published: a log subscriber that sees the job
    // end then reads the store and finds it.
    await this.deps.jobLogs.appendSystem(before._id, before.attempt, line);
    this.deps.jobLogs.forgetAttempt(before._id, before.attempt);
    await publishJobUpdated(this.deps.pubsub, after);
    if (before.workerId) this.deps.dispatcher.kick(String(before.workerId));
  }

  /** A retried job becomes claimable after its backoff: wake every replica then. */
  private wakeAfter(ms: number): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.wakes.delete(t);
      this.deps.pubsub.publish(Topics.DISPATCH_WAKE, { at: Date.now() }).catch((err: unknown) => this.deps.logger.warn({ err }, 'dispatch wake failed'));
    }, ms + 5);
    t.unref();
    this.wakes.add(t);
  }
}
