import { isValidObjectId, Types } from 'mongoose';
import { JobStatus, SandboxKind, WorkerStatus } from '../domain/enums';
import { attemptKey } from '../domain/attempt-key';
import * as machine from '../domain/job-state-machine';
import { validateLabels } from '../domain/label.rules';
import { retryBackoffMs, type LeaseSettings } from '../domain/lease';
import { AppError, BadUserInputError, ConflictError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { PubSubPort } from '../storage/pubsub';
import {
  applyTransition,
  applyTransitions,
  findJob,
  findFenced,
  findLeasedByWorker,
  shortenLeases,
} from '../storage/repositories/job-lease.repository';
import { findWorker, findWorkersByToken, markDisconnected, setWorkerStatus, touchWorker, upsertWorker } from '../storage/repositories/worker.repository';
import type { JobDoc, WorkerDoc } from '../storage/repositories/documents';
import type { WorkerPrincipal } from '../auth/principal';
import type { Actor, AuditService } from './audit.service';
import type { AssignmentEvent, DispatchService } from './dispatch.service';
import { publishJobUpdated, publishWorkerUpdated } from './job-events';
import type { JobLogService, LogChunkInput } from './job-log.service';
import type { WorkerSession } from './worker-session';
import { FlatIterator } from './flat-iterator';
import { traceCycle } from '../observability/cycle-trace';

export interface AttemptRef {
  jobId: string;
  attempt: number;
}

export interface RegisterInput {
  name?: string | null;
  hostname?: string | null;
  labels?: string[] | null;
  capacity: number;
  version?: string | null;
  sandboxes?: SandboxKind[] | null;
  runningJobs?: AttemptRef[] | null;
  /** Per agent process: a reconnect of the same process keeps its worker record. */
  instanceId?: string | null;
}

/** What became of one attempt of a batch call: accepted, or refused alone. */
interface AttemptOutcome extends AttemptRef {
  accepted: boolean;
  /** refused: the error code a single call would have carried (CONFLICT when the lease is gone) */
  code?: string;
  message?: string;
}

/** One attempt of a startJobs/completeJobs batch: accepted (the job as it now is), or refused. */
export interface AttemptReport extends AttemptOutcome {
  job?: JobDoc;
}

export interface AttemptResult extends AttemptRef {
  result: machine.JobResult;
}

export interface HeartbeatResult {
  leaseExpiresAt: Date;
  lost: AttemptRef[];
  cancel: AttemptRef[];
}

export interface WorkerChannelDeps {
  pubsub: PubSubPort;
  logger: Logger;
  lease: LeaseSettings;
  instanceId: string;
  dispatcher: DispatchService;
  jobLogs: JobLogService;
  audit: AuditService;
}

const MAX_CAPACITY = 256;
/** Attempts a worker may list (it runs at most MAX_CAPACITY; slack for ones finishing). */
const MAX_LISTED = 4 * MAX_CAPACITY;

/**
 * The worker side of the API: register, the assignments stream, heartbeats, and the
 * job-scoped calls (start, logs, complete), each fenced by (jobId, attempt, worker).
 */
export class WorkerChannelService {
  /** worker id → ids of the sockets it registered on, on this replica. */
  private readonly connections = new Map<string, Set<string>>();

  constructor(private readonly deps: WorkerChannelDeps) {}

  /** Lease settings a worker must honour, reported with its Worker. */
  get leaseSeconds(): number {
    return Math.round(this.deps.lease.leaseMs / 1000);
  }

  get heartbeatIntervalSeconds(): number {
    return Math.max(1, Math.round(this.deps.lease.heartbeatMs / 1000));
  }

  /**
   * (Re)connects a worker. Attempts it still runs keep their lease when it is still theirs (the
   * next heartbeat reports the others lost); attempts we think it holds but it does not list
   * were lost with its previous process and go back to the queue now rather than after the lease.
   */
  async register(principal: WorkerPrincipal, input: RegisterInput, session?: WorkerSession): Promise<WorkerDoc> {
    // An agent started without --name takes its token's name.
    const name = input.name?.trim() || principal.workerName;
    if (!name || name.length > 128) throw new BadUserInputError('input.name', 'name must be 1-128 characters');
    if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > MAX_CAPACITY) {
      throw new BadUserInputError('input.capacity', `capacity must be an integer from 1 to ${MAX_CAPACITY}`);
    }
    const inputLabels = validateLabels(input.labels, 'input.labels', 64);
    // The admin's labels on the token plus the agent's own: both describe this machine.
    const labels = [...new Set([...principal.labels, ...inputLabels])];
    const sandboxes = input.sandboxes && input.sandboxes.length > 0 ? [...new Set(input.sandboxes)] : [SandboxKind.NONE];
    if ((input.runningJobs?.length ?? 0) > MAX_LISTED) throw new BadUserInputError('input.runningJobs', `at most ${MAX_LISTED} attempts`);
    const running = (input.runningJobs ?? []).filter((r) => isValidObjectId(r.jobId));
    const agentInstanceId = input.instanceId?.trim() || undefined;
    if (agentInstanceId && agentInstanceId.length > 128) throw new BadUserInputError('input.instanceId', 'instanceId must be at most 128 characters');
    const now = new Date();

    const worker = await upsertWorker({
      tokenId: new Types.ObjectId(principal.tokenId),
      name,
      agentInstanceId,
      liveSince: new Date(now.getTime() - this.deps.lease.leaseMs),
      hostname: input.hostname,
      labels,
      capacity: input.capacity,
      version: input.version,
      sandboxes,
      instanceId: this.deps.instanceId,
      keepDraining: running.length > 0,
      now,
    });
    if (!worker) throw new ConflictError(`too many live agents use this token under the name ${name}; give each a --name`);
    this.bind(principal, worker.id, session);
    this.deps.dispatcher.invalidate(worker.id);
    if (session) {
      const open = this.connections.get(worker.id) ?? new Set<string>();
      const watched = session.watchCloseOnce(() => {
        open.delete(session.id);
        if (open.size > 0) return; // it registered again on another socket here
        this.connections.delete(worker.id);
        return this.disconnected(worker.id);
      });
      if (watched) {
        open.add(session.id);
        this.connections.set(worker.id, open);
      }
    }

    const listed = new Set<string>();
    for (const r of running) {
      const kept = await applyTransition(machine.renewLease({ jobId: r.jobId, attempt: r.attempt, workerId: worker._id }, now, this.deps.lease.leaseMs));
      if (kept) listed.add(attemptKey(kept.id, kept.attempt));
    }
    for (const job of await findLeasedByWorker(worker._id)) {
      if (!listed.has(attemptKey(job.id, job.attempt))) await this.recoverUnlisted(job, worker);
    }
    await publishWorkerUpdated(this.deps.pubsub, worker);
    this.deps.dispatcher.kick(worker.id);
    return worker;
  }

  /** The registered worker's assignments stream (register first), one job per event. */
  async assignments(principal: WorkerPrincipal, session?: WorkerSession): Promise<AsyncIterableIterator<AssignmentEvent>> {
    return new FlatIterator(await this.assignmentBatches(principal, session));
  }

  /** The same stream, each event carrying every job handed over together (as many as the worker had free slots). */
  async assignmentBatches(principal: WorkerPrincipal, session?: WorkerSession): Promise<AsyncIterableIterator<AssignmentEvent[]>> {
    const workerId = await this.workerIdOf(principal, session);
    return this.deps.dispatcher.openAssignments(workerId);
  }

  /**
   * Renews the listed attempts' leases; reports those no longer this worker's, and cancels.
   * An idle worker's heartbeat is one write (the worker's) and reads nothing: dispatch hears of
   * it only when something changed for it (revived, attempts lost) or it runs jobs.
   */
  async heartbeat(principal: WorkerPrincipal, runningJobs: readonly AttemptRef[], session?: WorkerSession): Promise<HeartbeatResult> {
    if (runningJobs.length > MAX_LISTED) throw new BadUserInputError('runningJobs', `at most ${MAX_LISTED} attempts`);
    const workerId = await this.workerIdOf(principal, session);
    const now = new Date();
    const touched = await touchWorker(workerId, now);
    if (!touched) throw new ConflictError('worker not registered');
    const workerOid = new Types.ObjectId(workerId);
    const lost: AttemptRef[] = [];
    const cancel: AttemptRef[] = [];
    // Every lease this worker lists is renewed in one round trip (each fenced by its own attempt).
    const listed = runningJobs.map((r) => ({ jobId: r.jobId, attempt: r.attempt }));
    const valid = listed.filter((ref) => isValidObjectId(ref.jobId));
    const until = now.getTime() + this.deps.lease.leaseMs;
    const renewed = await applyTransitions(
      valid.map((ref) => machine.renewLease({ ...ref, workerId: workerOid }, now, this.deps.lease.leaseMs)),
      (job, k) => job.attempt === valid[k].attempt && String(job.workerId) === workerId && job.leaseExpiresAt?.getTime() === until,
    );
    const byRef = new Map(valid.map((ref, k) => [ref, renewed[k]]));
    for (const ref of listed) {
      const job = byRef.get(ref);
      if (!job) lost.push(ref);
      else if (job.cancelRequestedAt) cancel.push(ref);
    }
    // Revived: it may claim again, and may run what was queued while it was away. Attempts
    // lost: their slots may have been freed elsewhere (another replica's sweeper), which only a
    // read of its slots shows; what it knew of the queue still holds (a requeued job has a wake).
    if (touched.revived) this.deps.dispatcher.invalidate(workerId);
    else if (lost.length > 0) this.deps.dispatcher.rereadSlots(workerId);
    if (touched.revived) await publishWorkerUpdated(this.deps.pubsub, touched.revived);
    if (touched.revived || runningJobs.length > 0) this.deps.dispatcher.kick(workerId);
    return { leaseExpiresAt: new Date(now.getTime() + this.deps.lease.leaseMs), lost, cancel };
  }

  async startJob(principal: WorkerPrincipal, ref: AttemptRef, session?: WorkerSession): Promise<JobDoc> {
    traceCycle('start-recv', ref.jobId, ref.attempt);
    const lease = await this.leaseRef(principal, ref, session);
    const job = await applyTransition(machine.start(lease, new Date(), this.deps.lease.leaseMs));
    if (job) {
      this.deps.jobLogs.beginAttempt(lease.jobId, lease.attempt);
      await publishJobUpdated(this.deps.pubsub, job);
      traceCycle('start-done', ref.jobId, ref.attempt);
      return job;
    }
    // A resent startJob (the answer was lost) finds it already running: same answer.
    const current = await findJob(lease.jobId);
    if (current && current.status === JobStatus.RUNNING && current.attempt === ref.attempt && String(current.workerId) === String(lease.workerId)) {
      return current;
    }
    throw new ConflictError('this attempt no longer holds the lease');
  }

  /**
   * Several startJob at once. The transitions go to the store together (one write round trip,
   * each fenced by its own attempt and worker); the events are published together. An item the
   * batch did not move (already running after a lost answer, lease gone, bad id) then goes the
   * way of a single startJob, and a refusal refuses that item only.
   */
  async startJobs(principal: WorkerPrincipal, refs: readonly AttemptRef[], session?: WorkerSession): Promise<AttemptReport[]> {
    if (refs.length > MAX_LISTED) throw new BadUserInputError('attempts', `at most ${MAX_LISTED} attempts`);
    const workerId = await this.workerIdOf(principal, session);
    const now = new Date();
    const bulk = this.bulkItems(refs, workerId);
    for (const b of bulk) traceCycle('start-recv', b.lease.jobId, b.lease.attempt, workerId, refs.length);
    const after = await applyTransitions(
      bulk.map((b) => machine.start(b.lease, now, this.deps.lease.leaseMs)),
      (job, k) => job.status === JobStatus.RUNNING && job.attempt === bulk[k].lease.attempt && String(job.workerId) === workerId && job.startedAt?.getTime() === now.getTime(),
    );
    const reports: Array<AttemptReport | undefined> = new Array(refs.length);
    for (const [k, job] of after.entries()) {
      if (!job) continue;
      const { i, lease } = bulk[k];
      this.deps.jobLogs.beginAttempt(lease.jobId, lease.attempt);
      traceCycle('start-done', lease.jobId, lease.attempt);
      reports[i] = { jobId: refs[i].jobId, attempt: refs[i].attempt, accepted: true, job };
    }
    await Promise.all(after.map((job) => (job ? publishJobUpdated(this.deps.pubsub, job) : undefined)));
    return this.settleRest(refs, reports, (ref) => this.startJob(principal, ref, session));
  }

  /**
   * Several completeJob at once. Plain results (nobody asked to cancel, nothing timed out, no
   * agent shutdown) end their leases together: one write round trip, each fenced, events
   * published together. The rest, and any the batch did not move (a cancel requested meanwhile,
   * lease gone), go the way of a single completeJob; a refusal refuses that item only.
   */
  async completeJobs(principal: WorkerPrincipal, items: readonly AttemptResult[], session?: WorkerSession): Promise<AttemptReport[]> {
    if (items.length > MAX_LISTED) throw new BadUserInputError('completions', `at most ${MAX_LISTED} attempts`);
    const workerId = await this.workerIdOf(principal, session);
    const now = new Date();
    const plain = (r: machine.JobResult): boolean => !r.agentShutdown && !r.canceled && !r.timedOut;
    const bulk = this.bulkItems(items, workerId).filter((b) => plain(items[b.i].result));
    for (const b of bulk) traceCycle('complete-recv', b.lease.jobId, b.lease.attempt, workerId, items.length);
    const after = await this.deps.dispatcher.endLeases(
      bulk.map((b) => ({ held: b.lease, t: machine.complete(b.lease, items[b.i].result, false, undefined, now) })),
      (job, k) => machine.isTerminal(job.status) && job.attempt === bulk[k].lease.attempt && String(job.workerId) === workerId && job.finishedAt?.getTime() === now.getTime(),
    );
    const reports: Array<AttemptReport | undefined> = new Array(items.length);
    for (const [k, job] of after.entries()) {
      if (!job) continue;
      const { i } = bulk[k];
      traceCycle('complete-done', items[i].jobId, items[i].attempt);
      reports[i] = { jobId: items[i].jobId, attempt: items[i].attempt, accepted: true, job };
    }
    return this.settleRest(items, reports, (item) => this.completeJob(principal, { jobId: item.jobId, attempt: item.attempt }, item.result, session));
  }

  /** The items a batch may write directly: well-formed, each job once. */
  private bulkItems(refs: readonly AttemptRef[], workerId: string): Array<{ i: number; lease: machine.LeaseRef & { jobId: string; workerId: Types.ObjectId } }> {
    const worker = new Types.ObjectId(workerId);
    const seen = new Set<string>();
    const out: Array<{ i: number; lease: machine.LeaseRef & { jobId: string; workerId: Types.ObjectId } }> = [];
    for (const [i, r] of refs.entries()) {
      if (!isValidObjectId(r.jobId) || !Number.isInteger(r.attempt) || r.attempt < 1 || seen.has(String(r.jobId))) continue;
      seen.add(String(r.jobId));
      out.push({ i, lease: { jobId: r.jobId, attempt: r.attempt, workerId: worker } });
    }
    return out;
  }

  /** Items the batch left unanswered, one by one as a single call would go; a client error refuses that item alone. */
  private async settleRest<T extends AttemptRef>(items: readonly T[], reports: Array<AttemptReport | undefined>, single: (item: T) => Promise<JobDoc>): Promise<AttemptReport[]> {
    for (const [i, item] of items.entries()) {
      if (reports[i]) continue;
      try {
        reports[i] = { jobId: item.jobId, attempt: item.attempt, accepted: true, job: await single(item) };
      } catch (err) {
        // Anything else (the store unreachable) fails the whole call: the agent retries it.
        if (!(err instanceof AppError)) throw err;
        reports[i] = refused(item, err);
      }
    }
    return reports as AttemptReport[];
  }

  async appendLogs(principal: WorkerPrincipal, ref: AttemptRef, chunks: readonly LogChunkInput[], session?: WorkerSession) {
    const lease = await this.leaseRef(principal, ref, session);
    return this.deps.jobLogs.append(lease, chunks);
  }

  /**
   * appendLogs for several attempts (what an agent's jobs printed in the same moment) in one
   * call: each is fenced, stored and acknowledged alone, refused alone with the error its single
   * call would have given; the chunks of all are stored in one write.
   */
  async appendLogsBatch(principal: WorkerPrincipal, items: ReadonlyArray<AttemptRef & { chunks: readonly LogChunkInput[] }>, session?: WorkerSession): Promise<AppendLogsReport[]> {
    if (items.length > MAX_LISTED) throw new BadUserInputError('batches', `at most ${MAX_LISTED} batches`);
    const leases = await Promise.allSettled(items.map((item) => this.leaseRef(principal, item, session)));
    const reports: Array<AppendLogsReport | undefined> = new Array(items.length);
    const valid: Array<{ i: number; ref: Awaited<ReturnType<WorkerChannelService['leaseRef']>> }> = [];
    for (const [i, l] of leases.entries()) {
      if (l.status === 'fulfilled') valid.push({ i, ref: l.value });
      else if (l.reason instanceof AppError) reports[i] = refused(items[i], l.reason);
      else throw l.reason;
    }
    const results = await this.deps.jobLogs.appendMany(valid.map((v) => ({ ref: v.ref, input: items[v.i].chunks })));
    for (const [k, r] of results.entries()) {
      const item = items[valid[k].i];
      reports[valid[k].i] = r instanceof AppError ? refused(item, r) : { jobId: item.jobId, attempt: item.attempt, accepted: true, ackedSeq: r.ackedSeq, truncated: r.truncated };
    }
    return reports as AppendLogsReport[];
  }

  /** The worker's result ends the attempt (only while it still holds the lease). */
  async completeJob(principal: WorkerPrincipal, ref: AttemptRef, result: machine.JobResult, session?: WorkerSession): Promise<JobDoc> {
    traceCycle('complete-recv', ref.jobId, ref.attempt);
    const lease = await this.leaseRef(principal, ref, session);
    if (result.agentShutdown && !result.canceled && !result.timedOut) {
      const requeued = await this.requeueShutdown(lease);
      if (requeued) return requeued;
      // A cancel was requested meanwhile: it ends as the cancel says.
    }
    // Usually nobody asked to cancel and there is no timeout to name: try that first, and read
    // the job only when the guess misses.
    let job: JobDoc | null = null;
    for (let round = 0; round < 4; round += 1) {
      if (round > 0) {
        job = await findFenced(lease);
        if (!job) throw new ConflictError('this attempt no longer holds the lease');
      }
      const guess = round === 0 && !result.canceled && !result.timedOut;
      if (round === 0 && !guess) continue;
      // A start recorded after all (a resent report) keeps its time.
      const asSent = job && job.status !== JobStatus.ASSIGNED ? { ...result, ranForMs: null } : result;
      const t = machine.complete(lease, asSent, job ? job.cancelRequestedAt != null : false, job?.timeoutSeconds, new Date());
      const done = await this.deps.dispatcher.endLease(lease, t);
      if (done) {
        traceCycle('complete-done', ref.jobId, ref.attempt);
        return done;
      }
      // A cancel request landed between the read and the update: read again.
    }
    throw new ConflictError('job changed while completing; try again');
  }

  /** The agent shut down and stopped the attempt: not the job's fault, so it goes back to the queue. */
  private async requeueShutdown(lease: machine.LeaseRef & { jobId: string; workerId: Types.ObjectId }): Promise<JobDoc | null> {
    const job = await findFenced(lease);
    if (!job) throw new ConflictError('this attempt no longer holds the lease');
    if (job.cancelRequestedAt) return null;
    const backoff = retryBackoffMs(job.attempt, this.deps.lease);
    const t = machine.requeueShutdown(lease, job, new Date(), backoff, this.deps.lease.lostAttemptRetries);
    return this.deps.dispatcher.endLease(lease, t, (next) =>
      next.status === JobStatus.QUEUED
        ? `the worker agent shut down and stopped attempt ${job.attempt}; retrying as attempt ${next.attempt} in ${backoff} ms${machine.freeRetryNote(job, next)}`
        : `the worker agent shut down and stopped attempt ${job.attempt}; no attempts left (${machine.WORKER_LOST})`,
    );
  }

  /** Admin: no new assignments; running jobs finish. */
  async drain(actor: Actor, workerId: string): Promise<WorkerDoc> {
    if (!isValidObjectId(workerId)) throw new NotFoundError('worker not found');
    const worker = (await setWorkerStatus(workerId, WorkerStatus.DRAINING, [WorkerStatus.ONLINE, WorkerStatus.DRAINING])) ?? (await findWorker(workerId));
    if (!worker) throw new NotFoundError('worker not found');
    this.deps.dispatcher.invalidate(worker.id);
    await this.deps.audit.record(actor, 'worker.drain', worker.id, { name: worker.name });
    await publishWorkerUpdated(this.deps.pubsub, worker);
    return worker;
  }

  /**
   * The socket a worker registered on closed, and it has not registered again (here or on
   * another replica). Nothing is requeued now — a network blip must not cost running jobs — but
   * it is OFFLINE, and its leases last at most a reconnect grace instead of a full lease, so a
   * dead worker's jobs come back sooner. Re-registering or a heartbeat renews them as usual.
   */
  private async disconnected(workerId: string): Promise<void> {
    try {
      const now = new Date();
      const off = await markDisconnected(workerId, this.deps.instanceId, now);
      if (!off) return;
      await shortenLeases(off._id, new Date(now.getTime() + this.deps.lease.reconnectGraceMs));
      await publishWorkerUpdated(this.deps.pubsub, off);
    } catch (err) {
      // Only bookkeeping is lost (the lease and the sweeper still hold): typically this replica
      // is shutting down and its stores are already closed.
      this.deps.logger.debug({ err, workerId }, 'could not record a worker disconnect');
    }
  }

  // ---- helpers ----

  private bind(principal: WorkerPrincipal, workerId: string, session?: WorkerSession): void {
    principal.workerId = workerId;
    if (session) session.workerId = workerId;
  }

  private async workerIdOf(principal: WorkerPrincipal, session?: WorkerSession): Promise<string> {
    const known = principal.workerId ?? session?.workerId;
    if (known) return known;
    // Without the socket it registered on (a plain HTTP call), the token names the worker only
    // when one agent uses it.
    const workers = await findWorkersByToken(new Types.ObjectId(principal.tokenId), 2);
    if (workers.length === 0) throw new ConflictError('worker not registered: call registerWorker first');
    if (workers.length > 1) throw new ConflictError('several agents use this token: call over the WebSocket you registered on');
    return workers[0].id;
  }

  private async leaseRef(principal: WorkerPrincipal, ref: AttemptRef, session?: WorkerSession): Promise<machine.LeaseRef & { jobId: string; workerId: Types.ObjectId }> {
    if (!isValidObjectId(ref.jobId)) throw new ConflictError('this attempt no longer holds the lease');
    if (!Number.isInteger(ref.attempt) || ref.attempt < 1) throw new BadUserInputError('attempt', 'attempt must be an integer ≥ 1');
    const workerId = await this.workerIdOf(principal, session);
    return { jobId: ref.jobId, attempt: ref.attempt, workerId: new Types.ObjectId(workerId) };
  }

  /** A leased job the (re)registering worker does not run: give it back now. */
  private async recoverUnlisted(job: JobDoc, worker: WorkerDoc): Promise<void> {
    const now = new Date();
    const ref = { jobId: job._id, attempt: job.attempt };
    const held = { ...ref, workerId: worker._id };
    if (job.cancelRequestedAt) {
      await this.deps.dispatcher.endLease(held, machine.finalizeCancel({ ...ref, workerId: worker._id, startedAt: job.startedAt }, now), `canceled: worker ${worker.name} restarted without attempt ${job.attempt}`);
    } else if (job.status === JobStatus.ASSIGNED) {
      const line = `worker ${worker.name} restarted before starting attempt ${job.attempt}; queued again as attempt ${job.attempt + 1}`;
      await this.deps.dispatcher.endLease(held, machine.requeueUnstarted({ ...ref, workerId: worker._id }, now), line);
    } else {
      const backoff = retryBackoffMs(job.attempt, this.deps.lease);
      await this.deps.dispatcher.endLease(held, machine.requeueLost({ ...ref, maxAttempts: job.maxAttempts, status: job.status, lostRetries: job.lostRetries, workerId: worker._id, startedAt: job.startedAt }, now, backoff, { reason: machine.AttemptEndReason.WORKER_LOST, freeRetries: this.deps.lease.lostAttemptRetries }), (next) =>
        next.status === JobStatus.QUEUED
          ? `worker ${worker.name} restarted and lost attempt ${job.attempt}; retrying as attempt ${next.attempt} in ${backoff} ms${machine.freeRetryNote(job, next)}`
          : `worker ${worker.name} restarted and lost attempt ${job.attempt}; no attempts left (${machine.WORKER_LOST})`,
      );
    }
  }
}

/** What became of one attempt's batch in an appendLogsBatch call. */
export interface AppendLogsReport extends AttemptOutcome {
  ackedSeq?: number;
  truncated?: boolean;
}

/** An item of a batch refused alone, with the error its single call would have raised. */
function refused(item: AttemptRef, err: AppError): AttemptOutcome {
  return { jobId: item.jobId, attempt: item.attempt, accepted: false, code: err.code, message: err.message };
}
