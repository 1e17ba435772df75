import type { Types } from 'mongoose';
import { AssignmentKind, JobStatus, WorkerStatus } from '../domain/enums';
import * as machine from '../domain/job-state-machine';
import type { LeaseSettings } from '../domain/lease';
import type { Logger } from '../logger';
import type { SandboxKind } from '../domain/enums';
import { Topics, type PubSubPort } from '../storage/pubsub';
import { adjustWorkerRunning, applyTransition, countLeased } from '../storage/repositories/job-lease.repository';
import { findWorker } from '../storage/repositories/worker.repository';
import type { JobDispatchHooks } from './job-dispatch.port';
import { PushIterator } from './push-iterator';
import { publishJobUpdated, publishWorkerUpdated, type JobDoc } from './job-events';

/** One event on a worker's `assignments` subscription. */
export interface AssignmentEvent {
  kind: AssignmentKind;
  jobId: string;
  attempt: number;
  /** ASSIGN only. */
  job?: JobDoc;
  /** ASSIGN only: the environment with secret values (this worker runs the job). */
  env?: Array<{ name: string; value: string; secret: boolean }>;
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
  sinks: Array<(event: AssignmentEvent) => void>;
  busy: boolean;
  again: boolean;
}

export interface DispatchDeps {
  pubsub: PubSubPort;
  logger: Logger;
  lease: LeaseSettings;
}

/**
 * Hands QUEUED jobs to workers whose assignments stream is open on this replica.
 *
 * Several replicas share one MongoDB: a queued job wakes them all (DISPATCH_WAKE), each tries
 * its own idle workers, and the atomic claim lets exactly one of them take the job. A worker's
 * slots are counted from its leased jobs (the truth, not a counter) and only this replica
 * claims for the workers connected to it, one claim loop per worker at a time, so capacity is
 * never exceeded.
 */
export class DispatchService implements JobDispatchHooks {
  private readonly local = new Map<string, LocalWorker>();
  private readonly loops = new Set<Promise<void>>();
  private unsubscribeWake?: () => void;
  private tick?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: DispatchDeps) {}

  async start(): Promise<void> {
    this.unsubscribeWake = await this.deps.pubsub.subscribe(Topics.DISPATCH_WAKE, () => this.kickAll());
    // Backoffs ending and wakes lost with a dropped Redis connection are caught by a slow tick.
    this.tick = setInterval(() => this.kickAll(), Math.max(250, this.deps.lease.heartbeatMs));
    this.tick.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    this.unsubscribeWake?.();
    await Promise.allSettled([...this.loops]);
  }

  // ---- hooks from the user side (job.service) ----

  async onJobQueued(_job: JobDoc): Promise<void> {
    await this.deps.pubsub.publish(Topics.DISPATCH_WAKE, { at: Date.now() });
  }

  async onCancelRequested(job: JobDoc): Promise<JobDoc | null> {
    let result: JobDoc | null = null;
    if (job.status === JobStatus.ASSIGNED) {
      // Nothing started yet: end it here. A startJob racing this gets CONFLICT.
      const canceled = await applyTransition(machine.finalizeCancel({ jobId: job._id, attempt: job.attempt }, new Date(), { onlyAssigned: true }));
      if (canceled) {
        await this.adjustRunning(job.workerId, -1);
        await publishJobUpdated(this.deps.pubsub, canceled);
        result = canceled;
        if (job.workerId) this.kick(String(job.workerId));
      }
    }
    if (job.workerId) await this.sendCancel(String(job.workerId), job.id, job.attempt);
    return result;
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
  openAssignments(workerId: string): AsyncIterableIterator<AssignmentEvent> {
    const out = new PushIterator<AssignmentEvent>(Number.MAX_SAFE_INTEGER);
    const cancels = this.deps.pubsub.asyncIterator<CancelMessage>(Topics.workerAssignments(workerId));
    const sink = (event: AssignmentEvent): void => void out.push(event);
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
        if (msg.kind === AssignmentKind.CANCEL) await out.push({ kind: AssignmentKind.CANCEL, jobId: msg.jobId, attempt: msg.attempt });
      }
    };
    pump().then(
      () => out.end(),
      (err: unknown) => out.end(err),
    );
    return out;
  }

  /** Try to fill this worker's free slots (if it is connected here). Coalesces bursts. */
  kick(workerId: string): void {
    const lw = this.local.get(workerId);
    if (!lw || this.closed) return;
    if (lw.busy) {
      lw.again = true;
      return;
    }
    lw.busy = true;
    const loop = (async () => {
      try {
        do {
          lw.again = false;
          await this.fill(lw);
        } while (lw.again && !this.closed);
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

  /** A lease taken (+1) or given up (-1) on a worker: its `running` count, live for the UI. */
  async adjustRunning(workerId: Types.ObjectId | string | null | undefined, delta: number): Promise<void> {
    const worker = await adjustWorkerRunning(workerId, delta);
    if (worker) await publishWorkerUpdated(this.deps.pubsub, worker);
  }

  kickAll(): void {
    for (const id of this.local.keys()) this.kick(id);
  }

  private localWorker(workerId: string): LocalWorker {
    let lw = this.local.get(workerId);
    if (!lw) {
      lw = { workerId, sinks: [], busy: false, again: false };
      this.local.set(workerId, lw);
    }
    return lw;
  }

  private async fill(lw: LocalWorker): Promise<void> {
    const worker = await findWorker(lw.workerId);
    if (!worker || worker.status !== WorkerStatus.ONLINE) return;
    let free = worker.capacity - (await countLeased(worker._id));
    const claimer = { workerId: worker._id, labels: worker.labels, sandboxes: worker.sandboxes as SandboxKind[] };
    while (free > 0 && !this.closed) {
      const sink = lw.sinks.at(-1);
      if (!sink) return;
      const job = await applyTransition(machine.claim(claimer, new Date(), this.deps.lease.leaseMs));
      if (!job) return;
      free -= 1;
      const current = lw.sinks.at(-1);
      if (current) {
        // The worker hears first (dispatch latency); the bookkeeping follows.
        current({
          kind: AssignmentKind.ASSIGN,
          jobId: job.id,
          attempt: job.attempt,
          job,
          env: job.env.map((e) => ({ name: e.name, value: e.value, secret: e.secret })),
        });
      }
      await this.adjustRunning(worker._id, 1);
      if (!current) {
        // The stream closed while we claimed: give the job straight back.
        await this.release(job);
        return;
      }
      await publishJobUpdated(this.deps.pubsub, job);
    }
  }

  private async release(job: JobDoc): Promise<void> {
    const back = await applyTransition(machine.requeueUnstarted({ jobId: job._id, attempt: job.attempt }, new Date()));
    if (!back) return;
    await this.adjustRunning(job.workerId, -1);
    await publishJobUpdated(this.deps.pubsub, back);
    await this.onJobQueued(back);
  }
}
