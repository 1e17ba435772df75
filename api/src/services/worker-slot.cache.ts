import type { Types } from 'mongoose';
import { attemptKey } from '../domain/attempt-key';
import { WorkerStatus, type SandboxKind } from '../domain/enums';

/** What dispatch needs to know of a worker to claim for it. */
export interface WorkerFacts {
  objectId: Types.ObjectId;
  status: WorkerStatus;
  capacity: number;
  labels: string[];
  sandboxes: SandboxKind[];
}

/** The worker as last read, and the slots it holds now. */
export interface SlotView extends WorkerFacts {
  /** Attempt keys (and insert holds) using a slot. */
  held: Set<string>;
  /** When the read that built it started (ms since the epoch). */
  readAt: number;
  stale: boolean;
}

/** One read of MongoDB: the worker, and the keys of the attempts it holds (see attemptKey). */
export type SlotRead = () => Promise<{ worker: WorkerFacts; leased: Array<{ _id: unknown; attempt: number }> } | null>;

/**
 * A local worker's slots without reading MongoDB on every dispatch pass. `held` starts as the
 * worker's leased attempts (read together with the worker) and follows this replica's claims
 * and releases; a release that cannot be attributed to an attempt marks the view stale and the
 * next pass reads again, as does a status/capacity change and age (releases elsewhere — the
 * sweeper, another replica — are only seen by reading). An attempt taken or released while a
 * read is in flight counts in what the read returns whether the read saw it or not, so a
 * release is never counted twice and `held` is never below the worker's leases known here:
 * capacity is not exceeded. The claim in MongoDB still decides.
 */
export class WorkerSlotCache {
  private kept?: SlotView;
  /** While a read is in flight: leases taken and released meanwhile, applied to what it returns. */
  private reading?: { taken: Set<string>; released: Set<string>; stale: boolean };
  private inflight?: Promise<SlotView | null>;
  /**
   * Slots held for jobs being inserted (assign at insert). They are in no read until the insert
   * lands, so every view built meanwhile carries them: a read during the insert would otherwise
   * show the slot free and a claim could fill it a second time.
   */
  private readonly holds = new Set<string>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The view as kept (possibly stale or old); undefined before the first read or after the worker vanished. */
  get current(): SlotView | undefined {
    return this.kept;
  }

  get isReading(): boolean {
    return this.reading !== undefined;
  }

  /**
   * The kept view when it can be trusted without a read: not stale and younger than the age
   * bound (still, `aheadMs` from now).
   */
  fresh(aheadMs = 0): SlotView | undefined {
    const kept = this.kept;
    return kept && !kept.stale && this.now() + aheadMs - kept.readAt < this.maxAgeMs ? kept : undefined;
  }

  /** The view a read in flight returns, else the fresh view, else a new read (null: the worker no longer exists). */
  async get(read: SlotRead): Promise<SlotView | null> {
    return this.inflight ?? this.fresh() ?? this.refresh(read);
  }

  /**
   * Reads again; releases and staleness seen during the read apply to what it returns. A read
   * already in flight is joined rather than doubled: it started after every claim made so far
   * (claims wait for the view), and what lands during it applies to it.
   */
  refresh(read: SlotRead): Promise<SlotView | null> {
    this.inflight ??= this.read(read).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async read(read: SlotRead): Promise<SlotView | null> {
    const readAt = this.now();
    const reading = { taken: new Set<string>(), released: new Set<string>(), stale: false };
    this.reading = reading;
    let result: Awaited<ReturnType<SlotRead>>;
    try {
      result = await read();
    } finally {
      this.reading = undefined;
    }
    if (!result) {
      this.kept = undefined;
      return null;
    }
    const { worker } = result;
    const view: SlotView = {
      objectId: worker.objectId,
      status: worker.status,
      capacity: worker.capacity,
      labels: [...worker.labels],
      sandboxes: [...worker.sandboxes],
      held: new Set(result.leased.map((l) => attemptKey(l._id, l.attempt))),
      readAt,
      stale: reading.stale,
    };
    // A lease taken or released while we read may or may not be in the read: it counts either way.
    for (const k of reading.taken) view.held.add(k);
    for (const k of reading.released) view.held.delete(k);
    for (const k of this.holds) view.held.add(k);
    this.kept = view;
    return view;
  }

  /**
   * A lease given up: its slot is free. Without the attempt the slot cannot be named, and the
   * view is stale instead (the next pass reads again).
   */
  release(released?: { jobId: unknown; attempt: number }): void {
    if (!released) {
      this.markStale();
      return;
    }
    const key = attemptKey(released.jobId, released.attempt);
    this.kept?.held.delete(key);
    this.reading?.taken.delete(key);
    this.reading?.released.add(key);
  }

  /** A lease taken here (a claim): its slot is held, also in what a read in flight returns. */
  take(key: string): void {
    this.kept?.held.add(key);
    this.reading?.taken.add(key);
  }

  /** Holds a slot for a job not stored yet; kept across reads until `settle`. */
  hold(key: string): void {
    this.holds.add(key);
    this.kept?.held.add(key);
  }

  /** The hold ends: the stored attempt (`leased`, when the insert landed) takes its place. */
  settle(key: string, leased?: string): void {
    this.holds.delete(key);
    this.kept?.held.delete(key);
    if (leased !== undefined) this.take(leased);
  }

  /** Something about the worker changed: read it before the next claim. */
  markStale(): void {
    if (this.kept) this.kept.stale = true;
    if (this.reading) this.reading.stale = true;
  }

  /**
   * Whether a status/capacity published for the worker differs from what the view holds. During
   * a read, the read may predate the change: any status but ONLINE counts as a change then.
   */
  differsFrom(status: string | undefined, capacity: number | undefined): boolean {
    const was = this.kept ?? (this.reading ? { status: WorkerStatus.ONLINE, capacity } : undefined);
    return was !== undefined && (was.status !== status || was.capacity !== capacity);
  }
}
