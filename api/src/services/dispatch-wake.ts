import { WorkerStatus, type SandboxKind } from '../domain/enums';
import type { SlotView } from './worker-slot.cache';

/**
 * The dispatch wake: what every replica hears when a job becomes claimable, and how it picks
 * whom to wake among the workers connected to it.
 *
 * A wake names the job (what decides who may run it), so a replica wakes one worker with a free
 * slot that can run it instead of making every worker claim: with a thousand idle workers, one
 * queued job costs a claim or two, not a thousand. A wake without a job (sent by an older replica) makes
 * the replica read the queue once, as its tick does.
 */
export interface WakeMessage {
  at: number;
  job?: WakeJob;
}

/** A claimable job as a wake carries it: its id and what a worker needs to run it. */
export interface WakeJob {
  id: string;
  requirements: string[];
  sandbox: SandboxKind | null;
}

export function wakeJobOf(job: { id?: string; _id?: unknown; requirements?: readonly string[] | null; sandbox?: SandboxKind | null }): WakeJob {
  return { id: job.id ?? String(job._id), requirements: [...(job.requirements ?? [])], sandbox: job.sandbox ?? null };
}

/**
 * One job's wake as it goes from worker to worker on this replica. The worker it is handed to
 * claims; the wake ends when that claim took the job, or came back empty (nothing the worker
 * may run is queued, so the job is not waiting any more), and goes on to another worker that
 * can run the job when the worker could not claim or filled its slots with other jobs: one
 * with a free slot, else one claiming now (once more, after its current claims). With neither
 * left it ends: a worker whose slots are full claims when one frees, and the tick reads the
 * queue.
 * Every hand-over is a claim that takes a job or ends the wake, so a wake costs at most one
 * claim that comes back empty per replica.
 */
export interface WakeToken {
  /** The wake generation it belongs to (see WakeLedger). */
  gen: number;
  job: WakeJob;
  /** Workers it was handed to. */
  tried: Set<string>;
  /** When it was last handed to a worker (ms since the epoch). */
  handedAt?: number;
}

/**
 * Where a connected worker stands for a wake:
 * - `busy`: a claim loop runs for it (a wake may wait for its next pass);
 * - `unknown`: no view of its slots yet, or the view went stale: only a read tells;
 * - `idle`: no slot held: it takes a wake first;
 * - `partial`: some slots held, some free: it takes a wake when no idle worker can;
 * - `full`, `off` (no stream open, or not ONLINE): nothing to claim for.
 */
export type Standing = 'busy' | 'unknown' | 'idle' | 'partial' | 'full' | 'off';

export function standingOf(w: { busy: boolean; streams: number; view: SlotView | undefined }): Standing {
  if (w.busy) return 'busy';
  if (w.streams === 0) return 'off';
  const view = w.view;
  if (!view || view.stale) return 'unknown';
  if (view.status !== WorkerStatus.ONLINE) return 'off';
  if (view.held.size >= view.capacity) return 'full';
  return view.held.size === 0 ? 'idle' : 'partial';
}

/** Workers that may run the same jobs: the claim's filter depends on labels and sandboxes only. */
export function capabilityKey(view: Pick<SlotView, 'labels' | 'sandboxes'>): string {
  return JSON.stringify([[...view.labels].sort(), [...view.sandboxes].sort()]);
}
