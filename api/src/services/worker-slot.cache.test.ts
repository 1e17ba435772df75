import { Types } from 'mongoose';
import { attemptKey } from '../domain/attempt-key';
import { SandboxKind, WorkerStatus } from '../domain/enums';
import { WorkerSlotCache, type SlotRead, type WorkerFacts } from './worker-slot.cache';

const worker = (over: Partial<WorkerFacts> = {}): WorkerFacts => ({
  objectId: new Types.ObjectId(),
  status: WorkerStatus.ONLINE,
  capacity: 2,
  labels: ['linux'],
  sandboxes: [SandboxKind.NONE],
  ...over,
});
const jobA = new Types.ObjectId();
const jobB = new Types.ObjectId();

/** A read that returns `leased`, and resolves only when `open()` is called (to act mid-read). */
function gatedRead(facts: WorkerFacts | null, leased: Array<{ _id: unknown; attempt: number }>) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const reads = { count: 0 };
  const read: SlotRead = async () => {
    reads.count += 1;
    await gate;
    return facts ? { worker: facts, leased } : null;
  };
  return { read, open, reads };
}

const readOf = (facts: WorkerFacts | null, leased: Array<{ _id: unknown; attempt: number }> = []): SlotRead => async () =>
  facts ? { worker: facts, leased } : null;

describe('WorkerSlotCache', () => {
  it('holds the leased attempts it read, keyed like attemptKey', async () => {
    const c = new WorkerSlotCache(1000);
    const view = await c.get(readOf(worker(), [{ _id: jobA, attempt: 1 }]));
    expect(view?.held).toEqual(new Set([attemptKey(jobA.toHexString(), 1)]));
    expect(c.current).toBe(view);
  });

  it('keeps the view while it is fresh and reads again once it is older than the bound', async () => {
    let now = 10_000;
    const c = new WorkerSlotCache(500, () => now);
    let reads = 0;
    const read: SlotRead = async () => {
      reads += 1;
      return { worker: worker(), leased: [] };
    };
    const first = await c.get(read);
    now += 499;
    expect(await c.get(read)).toBe(first);
    expect(reads).toBe(1);
    now += 1;
    expect(c.fresh()).toBeUndefined();
    expect(await c.get(read)).not.toBe(first);
    expect(reads).toBe(2);
  });

  it('frees the slot of a named release; an unnamed release makes the view stale', async () => {
    const c = new WorkerSlotCache(60_000);
    const view = await c.get(readOf(worker(), [{ _id: jobA, attempt: 1 }, { _id: jobB, attempt: 3 }]));
    c.release({ jobId: jobA, attempt: 1 });
    expect(view?.held).toEqual(new Set([attemptKey(jobB, 3)]));
    expect(c.fresh()).toBe(view);
    c.release();
    expect(view?.stale).toBe(true);
    expect(c.fresh()).toBeUndefined();
  });

  it('applies a release seen during a read to what the read returns (never counted twice)', async () => {
    const c = new WorkerSlotCache(60_000);
    const g = gatedRead(worker(), [{ _id: jobA, attempt: 1 }, { _id: jobB, attempt: 1 }]);
    const pending = c.refresh(g.read);
    expect(c.isReading).toBe(true);
    c.release({ jobId: jobA.toHexString(), attempt: 1 });
    g.open();
    const view = await pending;
    expect(c.isReading).toBe(false);
    expect(view?.held).toEqual(new Set([attemptKey(jobB, 1)]));
    expect(view?.stale).toBe(false);
  });

  it('joins a read in flight instead of reading twice; a read after it reads again', async () => {
    const c = new WorkerSlotCache(0);
    const g = gatedRead(worker(), [{ _id: jobA, attempt: 1 }]);
    const first = c.refresh(g.read);
    const second = c.refresh(readOf(worker(), []));
    g.open();
    const [a, b] = await Promise.all([first, second]);
    expect(g.reads.count).toBe(1);
    expect(b).toBe(a);
    expect(a?.held).toEqual(new Set([attemptKey(jobA, 1)]));
    expect((await c.refresh(readOf(worker(), [])))?.held).toEqual(new Set());
  });

  it('counts a lease taken during a read in what the read returns, whether the read saw it or not', async () => {
    const c = new WorkerSlotCache(60_000);
    const missed = gatedRead(worker(), []);
    const first = c.refresh(missed.read);
    c.take(attemptKey(jobA, 1));
    missed.open();
    expect((await first)?.held).toEqual(new Set([attemptKey(jobA, 1)]));
    const seen = gatedRead(worker(), [{ _id: jobA, attempt: 1 }]);
    const second = c.refresh(seen.read);
    c.take(attemptKey(jobB, 1));
    c.release({ jobId: jobB, attempt: 1 });
    seen.open();
    expect((await second)?.held).toEqual(new Set([attemptKey(jobA, 1)]));
  });

  it('hands a claim the view a read in flight returns, even while the kept one is fresh', async () => {
    const c = new WorkerSlotCache(60_000);
    const kept = await c.get(readOf(worker()));
    const g = gatedRead(worker(), [{ _id: jobA, attempt: 1 }]);
    const pending = c.refresh(g.read);
    const got = c.get(readOf(worker()));
    g.open();
    expect(await got).toBe(await pending);
    expect(await got).not.toBe(kept);
  });

  it('marks the view from a read stale when a change lands during the read', async () => {
    const c = new WorkerSlotCache(60_000);
    const g = gatedRead(worker(), []);
    const pending = c.refresh(g.read);
    c.markStale();
    g.open();
    expect((await pending)?.stale).toBe(true);
    expect(c.fresh()).toBeUndefined();
  });

  it('forgets the view when the worker no longer exists', async () => {
    const c = new WorkerSlotCache(60_000);
    await c.get(readOf(worker()));
    c.markStale();
    expect(await c.get(readOf(null))).toBeNull();
    expect(c.current).toBeUndefined();
  });

  it('tells a published status or capacity change from the one it holds', async () => {
    const c = new WorkerSlotCache(60_000);
    expect(c.differsFrom(WorkerStatus.DRAINING, 2)).toBe(false); // nothing read: nothing to correct
    await c.get(readOf(worker({ capacity: 2 })));
    expect(c.differsFrom(WorkerStatus.ONLINE, 2)).toBe(false);
    expect(c.differsFrom(WorkerStatus.ONLINE, 3)).toBe(true);
    expect(c.differsFrom(WorkerStatus.DRAINING, 2)).toBe(true);
  });

  it('during the first read, any status but ONLINE counts as a change', async () => {
    const c = new WorkerSlotCache(60_000);
    const g = gatedRead(worker(), []);
    const pending = c.refresh(g.read);
    expect(c.differsFrom(WorkerStatus.ONLINE, 4)).toBe(false);
    expect(c.differsFrom(WorkerStatus.OFFLINE, 4)).toBe(true);
    g.open();
    await pending;
  });

  it('an insert hold survives a read that comes during the insert, and the stored attempt takes its place once', async () => {
    const c = new WorkerSlotCache(1000);
    await c.get(readOf(worker({ capacity: 2 })));
    c.hold('insert:1');
    // the read does not see the job (not stored yet): the hold still takes a slot
    const during = await c.refresh(readOf(worker({ capacity: 2 })));
    expect(during?.held).toEqual(new Set(['insert:1']));
    // a later read that already sees the stored job: settling counts it once
    const after = await c.refresh(readOf(worker({ capacity: 2 }), [{ _id: jobA, attempt: 1 }]));
    c.settle('insert:1', attemptKey(jobA.toHexString(), 1));
    expect(after?.held).toEqual(new Set([attemptKey(jobA.toHexString(), 1)]));
    // a failed insert frees the hold
    c.hold('insert:2');
    c.settle('insert:2');
    expect(c.current?.held.size).toBe(1);
  });
});
