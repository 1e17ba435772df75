import type { Types } from 'mongoose';
import { AssignmentKind, JobStatus, WorkerStatus } from '../domain/enums';
import { attemptKey } from '../domain/attempt-key';
import * as machine from '../domain/job-state-machine';
import type { LeaseSettings } from '../domain/lease';
import type { Logger } from '../logger';
import type { SandboxKind } from '../domain/enums';
import { Topics, type PubSubPort } from '../storage/pubsub';
import type { Id } from '../storage/repositories/ids';
import { applyTransition, applyTransitions, claimSeveral, distinctQueuedClaimKeys, findClaimable, leasedAttempts, leasedAttemptsByWorker } from '../storage/repositories/job-lease.repository';
import { findWorker, findWorkerFactsOn } from '../storage/repositories/worker.repository';
import type { InsertAssignment, JobDispatchHooks, NewJobSpec } from './job-dispatch.port';
import { PushIterator } from './push-iterator';
import type { JobDoc } from '../storage/repositories/documents';
import { publishJobUpdated } from './job-events';
import { traceCycle } from '../observability/cycle-trace';
import type { JobLogService } from './job-log.service';
import { RunningCountWriter } from './running-count.writer';
import { WorkerSlotCache, type SlotView, type WorkerFacts } from './worker-slot.cache';
import { capabilityKey, standingOf, wakeJobOf, type Standing, type WakeJob, type WakeMessage, type WakeToken } from './dispatch-wake';
import { NO_DISPATCH_OBSERVER, type DispatchObserver } from './dispatch-observer.port';
import { WakeLedger } from './wake-ledger';
import { QueuedClaimKeys } from './queued-claim-keys';

/** One event on a worker's `assignments` subscription. */
export interface AssignmentEvent {
  kind: AssignmentKind;
  jobId: string;
  attempt: number;
  /** ASSIGN only. */
  job?: JobDoc;
  /** ASSIGN only: the environment with secret values (this worker runs the job). */
  env?: Array<{ name: string; value: string; secret: boolean }>;
  /**
   * ASSIGN only: the lease's end. Until then no other worker can be given this attempt, so an
   * agent that receives it well before may start the process while startJob is on its way.
   */
  leaseExpiresAt?: Date;
}

/** CANCEL travels between replicas; ASSIGN never does (it carries secrets and is local by design). */
interface CancelMessage {
  kind: AssignmentKind.CANCEL;
  jobId: string;
  attempt: number;
}

interface LocalWorker {
  workerId: string;
  /** Open assignments streams of this worker on this replica; the newest gets new work. */
  sinks: Array<(events: AssignmentEvent[]) => void>;
  busy: boolean;
  again: boolean;
  /** What the last read of MongoDB said about it, kept up to date by our own claims and releases. */
  slots: WorkerSlotCache;
  /**
   * The wake generation as of which nothing it may run was queued (its claim came back empty,
   * or the queue read for its kind of worker found nothing). While that still holds (see
   * WakeLedger), a freed slot brings no claim.
   */
  idleSince?: number;
  /** Wakes handed to it, for its next pass (see WakeToken). */
  wakes: WakeToken[];
  /** The pass of its claim loop running now: the wakes it carries, and what its claims found. */
  pass: Pass;
}

interface Pass {
  wakes: WakeToken[];
  jobIds: Set<string>;
  /** A claim came back empty: nothing it may run was queued then. */
  empty: boolean;
}

/** The attempt whose lease ends, and the worker that held it. */
export interface LeasedAttempt {
  jobId: Id;
  attempt: number;
  workerId?: Id | null;
}

/** A SYSTEM line for the attempt's log, fixed or from the job as the transition left it. */
export type LeaseEndLine = string | ((after: JobDoc) => string);

export interface DispatchDeps {
  pubsub: PubSubPort;
  logger: Logger;
  lease: LeaseSettings;
  /** Where an ended lease leaves its SYSTEM line and drops its log cursor. */
  jobLogs: JobLogService;
  /** This API instance: the workers that registered here are the ones it reads at once. */
  instanceId: string;
  observer?: DispatchObserver;
}

/**
 * Hands QUEUED jobs to workers whose assignments stream is open on this replica.
 *
 * Several replicas share one MongoDB: a queued job wakes them all (DISPATCH_WAKE), each wakes
 * one of its own workers with a free slot that can run the job (see dispatch-wake.ts), and the
 * atomic claim lets exactly one of them take the job. A worker's slots are counted from its leased jobs (the truth, not a counter)
 * and only this replica claims for the workers connected to it, one claim loop per worker at
 * a time, so capacity is never exceeded. A tick reads the queue once per kind of worker and
 * wakes as many as there are jobs waiting: backoffs that ended, wakes that were lost.
 */
export class DispatchService implements JobDispatchHooks {
  private readonly local = new Map<string, LocalWorker>();
  private readonly loops = new Set<Promise<void>>();
  private unsubscribeWake?: () => void;
  private unsubscribeWorkers?: () => void;
  private tick?: NodeJS.Timeout;
  /** The tick's pass running now. */
  private sweeping?: Promise<void>;
  private sweepAgain = false;
  /** Wakes waiting for a requeued job's backoff to end. */
  private readonly wakes = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Wake generations: whether a worker that found nothing queued for it still may assume so. */
  private readonly gens = new WakeLedger();
  /** Numbers the slots held for jobs being inserted (assignAtInsert). */
  private insertHolds = 0;
  private readonly runningCounts: RunningCountWriter;
  private readonly observer: DispatchObserver;
  /** The kinds of job queued: a claim asks only for those its worker may run. */
  private readonly queuedKinds = new QueuedClaimKeys();

  constructor(private readonly deps: DispatchDeps) {
    this.runningCounts = new RunningCountWriter({ pubsub: deps.pubsub, logger: deps.logger });
    this.observer = deps.observer ?? NO_DISPATCH_OBSERVER;
  }

  async start(): Promise<void> {
    // Until this read answers, claims go without keys (every kind, in queue order); the tick reads again.
    await this.queuedKinds.refresh(distinctQueuedClaimKeys).catch((err: unknown) => this.deps.logger.warn({ err }, 'reading the kinds of job queued failed; the dispatch tick reads them again'));
    this.unsubscribeWake = await this.deps.pubsub.subscribe<WakeMessage>(Topics.DISPATCH_WAKE, (msg) => this.onWake(msg));
    // A drain, revival or new capacity decided anywhere: read the worker again before the next claim.
    this.unsubscribeWorkers = await this.deps.pubsub.subscribe<{ id?: string; status?: string; capacity?: number }>(Topics.WORKER_UPDATED, (w) => {
      const lw = w?.id ? this.local.get(w.id) : undefined;
      if (lw?.slots.differsFrom(w.status, w.capacity)) this.markStale(lw);
    });
    // Backoffs ending and wakes lost with a dropped Redis connection are caught by a slow tick.
    // It comes before idle workers' views age out, and reads them again all at once.
    this.tick = setInterval(() => void this.sweep(), this.tickMs);
    this.tick.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    this.wakes.forEach((t) => clearTimeout(t));
    this.wakes.clear();
    this.unsubscribeWake?.();
    this.unsubscribeWorkers?.();
    await Promise.allSettled([...this.loops, this.sweeping]);
    await this.runningCounts.close();
  }

  // ---- hooks from the user side (job.service) ----

  async onJobQueued(job: JobDoc): Promise<void> {
    this.queuedKinds.note(job);
    const msg: WakeMessage = { at: Date.now(), job: wakeJobOf(job) };
    await this.deps.pubsub.publish(Topics.DISPATCH_WAKE, msg);
  }

  /**
   * A worker connected here that sits idle — its last claim (or the tick's read of the queue
   * for it) found nothing, and nothing since may have left a job waiting for it (see
   * WakeLedger; a job whose wake is going is spoken for) — with a free slot and a fresh view
   * takes a new job at its insert: the job would be its claim's only candidate. The one woken
   * least recently goes first. The slot is held before the insert (capacity is never
   * exceeded); no claim may be in flight for it. A job queued on another replica in the same
   * instant may lose this slot to the new one: the two arrived together, and the other waits
   * for the next free slot.
   */
  assignAtInsert(job: NewJobSpec, now: Date): InsertAssignment | null {
    if (this.closed) return null;
    for (const lw of this.local.values()) {
      // A read of its slots in flight is no obstacle: the hold counts in what it returns.
      if (lw.busy || lw.sinks.length === 0 || !this.gens.stillIdle(lw.idleSince)) continue;
      const view = lw.slots.fresh();
      if (!view) continue;
      if (view.status !== WorkerStatus.ONLINE || view.held.size >= view.capacity) continue;
      if (!machine.canRun(view, job)) continue;
      this.lastInLine(lw);
      const hold = `insert:${(this.insertHolds += 1)}`;
      lw.slots.hold(hold);
      return {
        fields: machine.assignedAtInsert({ workerId: view.objectId, labels: view.labels, sandboxes: view.sandboxes }, now, this.deps.lease.leaseMs),
        deliver: async (inserted) => {
          // Whatever view is kept now (a read may have come during the insert, with or without
          // the job), the attempt's key replaces the hold: the same slot, counted once.
          lw.slots.settle(hold, attemptKey(inserted._id, inserted.attempt));
          await this.handOver(lw, [inserted]);
        },
        release: () => lw.slots.settle(hold),
      };
    }
    return null;
  }

  async onCancelRequested(job: JobDoc): Promise<JobDoc | null> {
    let result: JobDoc | null = null;
    if (job.status === JobStatus.ASSIGNED) {
      // Nothing started yet: end it here. A startJob racing this gets CONFLICT.
      const ref = { jobId: job._id, attempt: job.attempt };
      result = await this.endLease({ ...ref, workerId: job.workerId }, machine.finalizeCancel({ ...ref, workerId: job.workerId }, new Date(), { onlyAssigned: true }));
    }
    if (job.workerId) await this.sendCancel(String(job.workerId), job.id, job.attempt);
    return result;
  }

  /**
   * Ends the lease of an attempt with transition `t` (away from ASSIGNED/RUNNING): the one path
   * every end of a lease takes. When `t` matches: the worker's slot is freed (its running count
   * and this replica's view), the SYSTEM `line` goes into the attempt's log, the attempt's log
   * cursor is dropped, the change is published, and dispatch wakes — the freed slot's worker,
   * and every replica once a requeued job may be claimed (after its backoff). The line goes in
   * before the change is published: a log subscriber that sees the job end then reads the
   * store and finds it. Null when `t` did not match (a heartbeat, a result or a cancel got
   * there first): nothing else happens then.
   */
  async endLease(held: LeasedAttempt, t: machine.Transition, line?: LeaseEndLine): Promise<JobDoc | null> {
    const after = await applyTransition(t);
    if (!after) return null;
    traceCycle('ended', held.jobId, held.attempt, held.workerId);
    await this.adjustRunning(held.workerId, -1, held);
    if (line !== undefined) await this.deps.jobLogs.appendSystem(held.jobId, held.attempt, typeof line === 'string' ? line : line(after));
    this.deps.jobLogs.forgetAttempt(held.jobId, held.attempt);
    await publishJobUpdated(this.deps.pubsub, after);
    if (held.workerId != null) this.kick(String(held.workerId));
    if (after.status === JobStatus.QUEUED) await this.wakeWhenClaimable(after);
    return after;
  }

  /**
   * Ends several leases at once, as `endLease` does each (no SYSTEM line): the transitions go to
   * the store together (one write round trip, each still fenced by its own filter), and what
   * follows — slots freed, events published, dispatch woken — follows for the ones that
   * matched, together. `applied` tells from a job as it now is whether its transition matched.
   * Null in the place of each that did not.
   */
  async endLeases(ends: ReadonlyArray<{ held: LeasedAttempt; t: machine.Transition }>, applied: (job: JobDoc, i: number) => boolean): Promise<Array<JobDoc | null>> {
    const after = await applyTransitions(
      ends.map((e) => e.t),
      applied,
    );
    const kick = new Set<string>();
    const queued: JobDoc[] = [];
    for (const [i, job] of after.entries()) {
      if (!job) continue;
      const { held } = ends[i];
      traceCycle('ended', held.jobId, held.attempt, held.workerId);
      await this.adjustRunning(held.workerId, -1, held);
      this.deps.jobLogs.forgetAttempt(held.jobId, held.attempt);
      if (held.workerId != null) kick.add(String(held.workerId));
      if (job.status === JobStatus.QUEUED) queued.push(job);
    }
    await Promise.all(after.map((job) => (job ? publishJobUpdated(this.deps.pubsub, job) : undefined)));
    for (const id of kick) this.kick(id);
    for (const job of queued) await this.wakeWhenClaimable(job);
    return after;
  }

  /** Wakes every replica now, or when a requeued job's backoff ends. */
  private async wakeWhenClaimable(job: JobDoc): Promise<void> {
    const wait = job.notBefore ? job.notBefore.getTime() - Date.now() : 0;
    if (wait <= 0) {
      await this.onJobQueued(job);
      return;
    }
    if (this.closed) return;
    const msg: WakeMessage = { at: 0, job: wakeJobOf(job) };
    const t = setTimeout(() => {
      this.wakes.delete(t);
      this.deps.pubsub.publish(Topics.DISPATCH_WAKE, { ...msg, at: Date.now() }).catch((err: unknown) => this.deps.logger.warn({ err }, 'dispatch wake failed'));
    }, wait + 5);
    t.unref();
    this.wakes.add(t);
  }

  /** Tells a worker, wherever it is connected, to stop an attempt. Sending twice is harmless. */
  async sendCancel(workerId: string, jobId: string, attempt: number): Promise<void> {
    const msg: CancelMessage = { kind: AssignmentKind.CANCEL, jobId, attempt };
    await this.deps.pubsub.publish(Topics.workerAssignments(workerId), msg);
  }

  // ---- the worker's stream ----

  /**
   * The `assignments` subscription of a registered worker: ASSIGN for jobs claimed for it here,
   * CANCEL from any replica. Closing it only stops new assignments: running jobs keep their
   * lease (the worker channel shortens it to a reconnect grace when the socket itself closed).
   */
  openAssignments(workerId: string): AsyncIterableIterator<AssignmentEvent[]> {
    const out = new PushIterator<AssignmentEvent[]>(Number.MAX_SAFE_INTEGER);
    const cancels = this.deps.pubsub.asyncIterator<CancelMessage>(Topics.workerAssignments(workerId));
    const sink = (events: AssignmentEvent[]): void => void out.push(events);
    const lw = this.localWorker(workerId);
    lw.sinks.push(sink);
    out.onClose(() => {
      lw.sinks = lw.sinks.filter((s) => s !== sink);
      if (lw.sinks.length === 0 && !lw.busy) this.local.delete(workerId);
      void cancels.return?.();
    });
    const pump = async (): Promise<void> => {
      await cancels.ready;
      this.kick(workerId);
      for await (const msg of cancels) {
        if (msg.kind === AssignmentKind.CANCEL) await out.push([{ kind: AssignmentKind.CANCEL, jobId: msg.jobId, attempt: msg.attempt }]);
      }
    };
    pump().then(
      () => out.end(),
      (err: unknown) => out.end(err),
    );
    return out;
  }

  /**
   * Try to fill this worker's free slots (if it is connected here). Coalesces bursts. A `wake`
   * handed along goes with the next pass of its claim loop: the claims of a pass running now
   * may have come before the job. It ends with that pass, or goes on (see WakeToken).
   */
  kick(workerId: string, wake?: WakeToken): void {
    const lw = this.local.get(workerId);
    if (!lw || this.closed) {
      if (wake) this.passOn(wake);
      return;
    }
    if (wake) {
      wake.handedAt = Date.now();
      lw.wakes.push(wake);
    }
    if (lw.busy) {
      lw.again = true;
      return;
    }
    lw.busy = true;
    const loop = (async () => {
      try {
        do {
          lw.again = false;
          const pass: Pass = { wakes: lw.wakes.splice(0), jobIds: new Set(), empty: false };
          lw.pass = pass;
          try {
            await this.fill(lw);
          } catch (err) {
            // The wakes it carried end: the tick tries again, rather than every worker in turn now.
            for (const w of [...pass.wakes, ...lw.wakes.splice(0)]) this.gens.block(w.gen);
            throw err;
          }
          for (const w of pass.wakes) this.afterPass(w, lw.workerId, pass);
        } while ((lw.again || lw.wakes.length > 0) && !this.closed);
      } catch (err) {
        this.deps.logger.error({ err, workerId }, 'dispatch failed; the next wake or tick retries');
      } finally {
        lw.busy = false;
        if (lw.sinks.length === 0) this.local.delete(workerId);
      }
    })();
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }

  /** A pass of a worker's claim loop carried `wake`: the wake ends here, or goes on. */
  private afterPass(wake: WakeToken, workerId: string, pass: Pass): void {
    if (pass.jobIds.has(wake.job.id) || pass.empty) return;
    wake.tried.add(workerId);
    this.passOn(wake);
  }

  /**
   * Hands the wake to a worker that can run its job and has a free slot, the one woken least
   * recently (an idle one before one with slots held); with none, to one claiming now (for its
   * next pass). With none of either, it ends with the job perhaps waiting: workers whose slots
   * are full claim when one frees, and the tick reads the queue.
   */
  private passOn(wake: WakeToken): void {
    if (this.closed) return;
    const next = this.pickFree(wake.job, wake.tried, 'idle') ?? this.pickFree(wake.job, wake.tried, 'partial') ?? this.pickBusy(wake.job, wake.tried);
    if (next) this.kick(next.workerId, wake);
    else this.gens.block(wake.gen);
  }

  private pickFree(job: WakeJob, tried: ReadonlySet<string>, standing: 'idle' | 'partial'): LocalWorker | undefined {
    for (const lw of this.local.values()) {
      if (tried.has(lw.workerId) || this.standing(lw) !== standing) continue;
      if (!machine.canRun(lw.slots.current!, job)) continue;
      this.lastInLine(lw);
      return lw;
    }
    return undefined;
  }

  /** A worker claiming now that may run the job (or whose view is being read), with no wake waiting yet. */
  private pickBusy(job: WakeJob, tried: ReadonlySet<string>): LocalWorker | undefined {
    for (const lw of this.local.values()) {
      if (!lw.busy || lw.wakes.length > 0 || tried.has(lw.workerId) || lw.sinks.length === 0) continue;
      const view = lw.slots.current;
      if (view && (view.status !== WorkerStatus.ONLINE || !machine.canRun(view, job))) continue;
      return lw;
    }
    return undefined;
  }

  /**
   * Jobs with a wake waiting for a worker's next pass, or carried by a pass running now, handed
   * over less than a tick ago: one held up longer (a slow store, a worker slow to take its
   * assignments) no longer speaks for its job, and the tick wakes another worker for it.
   */
  private jobsWithWakeGoing(): Set<string> {
    const ids = new Set<string>();
    const since = Date.now() - this.tickMs;
    const add = (w: WakeToken): void => {
      if ((w.handedAt ?? 0) > since) ids.add(w.job.id);
    };
    for (const lw of this.local.values()) {
      lw.wakes.forEach(add);
      if (lw.busy) lw.pass.wakes.forEach(add);
    }
    return ids;
  }

  /** Picks go front to back: the worker just given work goes to the back. */
  private lastInLine(lw: LocalWorker): void {
    this.local.delete(lw.workerId);
    this.local.set(lw.workerId, lw);
  }

  private standing(lw: LocalWorker): Standing {
    return standingOf({ busy: lw.busy, streams: lw.sinks.length, view: lw.slots.current });
  }

  /**
   * A job became claimable (DISPATCH_WAKE): one worker with a free slot that can run it claims
   * (or, with none, one claiming already claims once more; see passOn); those whose view is
   * unknown read and claim. Without the job (an older replica's wake), the queue is read.
   */
  private onWake(msg: WakeMessage | undefined): void {
    if (this.closed) return;
    const job = msg?.job;
    if (!job) {
      void this.sweep();
      return;
    }
    this.queuedKinds.note(job);
    const gen = this.gens.begin();
    for (const lw of this.local.values()) {
      if (this.standing(lw) === 'unknown') this.kick(lw.workerId);
    }
    this.passOn({ gen, job, tried: new Set() });
  }

  /** The tick: one pass at a time; one asked for meanwhile runs after it. */
  private sweep(): Promise<void> {
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      try {
        do {
          this.sweepAgain = false;
          await this.sweepOnce();
        } while (this.sweepAgain && !this.closed);
      } catch (err) {
        this.deps.logger.error({ err }, 'dispatch tick failed; the next one retries');
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  /**
   * Reads the views that would age out (all in one read), then the queue once per kind of
   * worker with a free slot: as many of them are woken as there are jobs they may run waiting
   * (a job whose wake is going here is left to it);
   * when none wait, they know it as a claim of each would have told them. Workers whose view is
   * unknown read and claim; those claiming now are left to it (a job their claims missed is
   * found by the next tick).
   */
  private async sweepOnce(): Promise<void> {
    if (this.closed) return;
    // Kinds queued whose wake never came here (lost with a dropped Redis connection), and kinds gone.
    await this.queuedKinds.refresh(distinctQueuedClaimKeys).catch((err: unknown) => this.deps.logger.warn({ err }, 'reading the kinds of job queued failed; claims use the kinds known'));
    // Views that would age out before the next tick, so that idle workers stay in line for assignAtInsert.
    await this.refreshViews([...this.local.values()].filter((lw) => !lw.busy && lw.sinks.length > 0 && !lw.slots.fresh(this.tickMs + 50)));
    const kinds = new Map<string, { view: SlotView; idle: LocalWorker[] }>();
    for (const lw of this.local.values()) {
      switch (this.standing(lw)) {
        case 'unknown':
          this.kick(lw.workerId);
          break;
        case 'idle':
        case 'partial': {
          const view = lw.slots.current!;
          const key = capabilityKey(view);
          const kind = kinds.get(key) ?? { view, idle: [] };
          kind.idle.push(lw);
          kinds.set(key, kind);
          break;
        }
        default:
          break;
      }
    }
    for (const { view, idle } of kinds.values()) {
      if (this.closed) return;
      const asOf = this.gens.current;
      const t = machine.claim({ workerId: view.objectId, labels: view.labels, sandboxes: view.sandboxes }, new Date(), this.deps.lease.leaseMs, this.queuedKinds.keysFor(view));
      const waiting = await findClaimable(t, idle.length);
      if (waiting.length === 0) {
        for (const lw of idle) {
          const now = this.standing(lw);
          if ((now === 'idle' || now === 'partial') && (lw.idleSince === undefined || lw.idleSince < asOf)) lw.idleSince = asOf;
        }
        continue;
      }
      const gen = this.gens.begin();
      // As many as it had workers to wake: more may wait.
      if (waiting.length >= idle.length) this.gens.block(gen);
      // A job whose wake is going here is spoken for: a worker claims after it was seen queued.
      const spoken = this.jobsWithWakeGoing();
      for (const job of waiting) {
        const wake = wakeJobOf(job);
        if (!spoken.has(wake.id)) this.passOn({ gen, job: wake, tried: new Set() });
      }
    }
  }

  /**
   * Reads the slots of several workers with two queries in all (not two each): the workers that
   * registered here, and every lease. One that registered elsewhere since is read alone.
   */
  private async refreshViews(workers: LocalWorker[]): Promise<void> {
    if (workers.length === 0) return;
    const batch = (async () => {
      this.observer.slotsRead(workers.length);
      const [facts, leased] = await Promise.all([findWorkerFactsOn(this.deps.instanceId), leasedAttemptsByWorker()]);
      return { facts, leased };
    })();
    await Promise.all(
      workers.map((lw) =>
        lw.slots.refresh(async () => {
          const { facts, leased } = await batch;
          const worker = facts.get(lw.workerId);
          return worker ? { worker, leased: leased.get(lw.workerId) ?? [] } : this.readSlots(lw);
        }),
      ),
    );
  }

  /**
   * A lease taken (+1) or given up (-1) on a worker: its `running` count, live for the UI
   * (written in batches). Name the attempt of a release so the local view can free its slot
   * without reading MongoDB again.
   */
  async adjustRunning(workerId: Types.ObjectId | string | null | undefined, delta: number, released?: { jobId: unknown; attempt: number }): Promise<void> {
    const lw = workerId == null ? undefined : this.local.get(String(workerId));
    if (lw && delta < 0) {
      if (!released) lw.idleSince = undefined;
      lw.slots.release(released);
    }
    if (workerId != null) this.runningCounts.add(String(workerId), delta);
  }

  /** Something about the worker changed here (registered, drained, revived): read it before the next claim. */
  invalidate(workerId: string): void {
    const lw = this.local.get(workerId);
    if (lw) this.markStale(lw);
  }

  /**
   * Its slots may have changed elsewhere (a lease it still listed was gone): read them before
   * the next claim. What it knew of the queue still holds, so a freed slot alone brings no claim.
   */
  rereadSlots(workerId: string): void {
    this.local.get(workerId)?.slots.markStale();
  }

  private markStale(lw: LocalWorker): void {
    lw.idleSince = undefined; // new labels or capacity may fit jobs it could not take before
    lw.slots.markStale();
  }

  private localWorker(workerId: string): LocalWorker {
    let lw = this.local.get(workerId);
    if (!lw) {
      lw = { workerId, sinks: [], busy: false, again: false, slots: new WorkerSlotCache(this.viewMaxAgeMs), wakes: [], pass: { wakes: [], jobIds: new Set(), empty: false } };
      this.local.set(workerId, lw);
    }
    return lw;
  }

  /** The worker and its leases as MongoDB has them, when the kept view may be off. */
  private view(lw: LocalWorker): Promise<SlotView | null> {
    return lw.slots.get(() => this.readSlots(lw));
  }

  private async readSlots(lw: LocalWorker): Promise<{ worker: WorkerFacts; leased: Array<{ _id: unknown; attempt: number }> } | null> {
    this.observer.slotsRead(1);
    const worker = await findWorker(lw.workerId);
    if (!worker) return null;
    const leased = await leasedAttempts(worker._id);
    return { worker: { objectId: worker._id, status: worker.status, capacity: worker.capacity, labels: worker.labels, sandboxes: worker.sandboxes as SandboxKind[] }, leased };
  }

  private get viewMaxAgeMs(): number {
    return Math.max(250, Math.min(5000, this.deps.lease.heartbeatMs));
  }

  private get tickMs(): number {
    return Math.max(200, Math.round(this.viewMaxAgeMs * 0.8));
  }

  private async fill(lw: LocalWorker): Promise<void> {
    const worker = await this.view(lw);
    if (!worker || worker.status !== WorkerStatus.ONLINE) return;
    const claimer = { workerId: worker.objectId, labels: worker.labels, sandboxes: worker.sandboxes };
    while (worker.held.size < worker.capacity && !this.closed) {
      if (worker.stale || lw.slots.current !== worker) {
        lw.again = true; // read again and go on
        return;
      }
      const sink = lw.sinks.at(-1);
      if (!sink) return;
      // A freed slot alone brings no new job: claim only when what its last miss told may no
      // longer hold (see WakeLedger), or a wake was handed to it (until a claim comes back empty).
      if (this.gens.stillIdle(lw.idleSince) && (lw.pass.wakes.length === 0 || lw.pass.empty)) return;
      const gen = this.gens.current;
      const jobs = await this.claim(claimer, worker.capacity - worker.held.size);
      this.observer.claimed(jobs.length);
      if (jobs.length === 0) {
        lw.idleSince = gen;
        lw.pass.empty = true;
        return;
      }
      for (const job of jobs) {
        lw.slots.take(attemptKey(job._id, job.attempt));
        lw.pass.jobIds.add(job.id);
      }
      if (!(await this.handOver(lw, jobs))) return;
    }
  }

  /**
   * Up to `free` jobs for one worker in one round: one free slot takes the single atomic claim
   * (the quickest path for one job); several take the batch claim, which costs a read more
   * but the same for two jobs as for two hundred.
   */
  private async claim(claimer: machine.ClaimingWorker, free: number): Promise<JobDoc[]> {
    const now = new Date();
    const t = machine.claim(claimer, now, this.deps.lease.leaseMs, this.queuedKinds.keysFor(claimer));
    if (free <= 1) {
      const job = await applyTransition(t);
      return job ? [job] : [];
    }
    const me = String(claimer.workerId);
    return claimSeveral(t, free, (job) => job.status === JobStatus.ASSIGNED && String(job.workerId) === me && job.assignedAt?.getTime() === now.getTime());
  }

  /**
   * Jobs just leased to a worker connected here go out together, in one message on its newest
   * assignments stream; false when the stream closed meanwhile (the jobs are given straight back).
   */
  private async handOver(lw: LocalWorker, jobs: readonly JobDoc[]): Promise<boolean> {
    const current = lw.sinks.at(-1);
    // A lease just taken is a new attempt number: none of its output is stored yet, so its
    // first log batch need not look (a job too short to send startJob sends output all the same).
    for (const job of jobs) this.deps.jobLogs.beginAttempt(job._id, job.attempt);
    if (current) {
      for (const job of jobs) traceCycle('pushed', job.id, job.attempt, lw.workerId, jobs.length);
      // The worker hears first (dispatch latency); the bookkeeping follows.
      current(
        jobs.map((job) => ({
          kind: AssignmentKind.ASSIGN,
          jobId: job.id,
          attempt: job.attempt,
          job,
          env: job.env.map((e) => ({ name: e.name, value: e.value, secret: e.secret })),
          leaseExpiresAt: job.leaseExpiresAt ?? undefined,
        })),
      );
    }
    for (const job of jobs) await this.adjustRunning(job.workerId, 1);
    if (!current) {
      for (const job of jobs) await this.release(job);
      return false;
    }
    await Promise.all(jobs.map((job) => publishJobUpdated(this.deps.pubsub, job)));
    return true;
  }

  private async release(job: JobDoc): Promise<void> {
    const ref = { jobId: job._id, attempt: job.attempt };
    await this.endLease({ ...ref, workerId: job.workerId }, machine.requeueUnstarted({ ...ref, workerId: job.workerId }, new Date()));
  }
}
