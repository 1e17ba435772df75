import { updateOne } from 'mingo';
import { JobStatus } from './enums';
import { jobProgress } from './job-progress';
import * as machine from './job-state-machine';

const now = new Date('2026-01-01T00:00:00Z');
const worker = { workerId: 'w1', labels: [], sandboxes: [] };

type Doc = Record<string, unknown> & { _id: string; attempt: number; status: JobStatus; maxAttempts: number };

/** Applies a transition the way the store would; throws when its filter does not match (the walk is wrong). */
function apply(doc: Doc, t: machine.Transition): Doc {
  const coll = [structuredClone(doc)];
  const r = updateOne(coll, t.filter as never, t.update as never);
  if (r.modifiedCount !== 1) throw new Error(`transition did not apply to ${JSON.stringify(doc)}`);
  return coll[0] as Doc;
}

const queued = (): Doc => ({ _id: 'j1', status: JobStatus.QUEUED, attempt: 1, maxAttempts: 3, requirements: [], lostRetries: 0, cancelRequestedAt: null });
const ref = (d: Doc) => ({ jobId: d._id, attempt: d.attempt, workerId: 'w1' });

/** Each walk: the transitions one job goes through, one after another. */
const walks: Array<[string, Array<(d: Doc) => machine.Transition>]> = [
  ['claim, start, succeed', [() => machine.claim(worker, now, 1000), (d) => machine.start(ref(d), now, 1000), (d) => machine.complete(ref(d), { exitCode: 0 }, false, null, now)]],
  ['cancel while running, then canceled', [() => machine.claim(worker, now, 1000), (d) => machine.start(ref(d), now, 1000), (d) => machine.requestCancel(d._id, now), (d) => machine.complete(ref(d), { canceled: true, exitCode: 143 }, true, null, now)]],
  ['cancel while assigned, finalized', [() => machine.claim(worker, now, 1000), (d) => machine.requestCancel(d._id, now), (d) => machine.finalizeCancel({ jobId: d._id, attempt: d.attempt, workerId: 'w1' }, now)]],
  ['canceled while queued', [(d) => machine.cancelQueued(d._id, now)]],
  ['lost while running, requeued, runs again', [() => machine.claim(worker, now, 1000), (d) => machine.start(ref(d), now, 1000), (d) => machine.requeueLost({ jobId: d._id, attempt: d.attempt, status: JobStatus.RUNNING, maxAttempts: d.maxAttempts, workerId: 'w1' }, now, 0, { freeRetries: 2, reason: machine.AttemptEndReason.WORKER_LOST }), () => machine.claim(worker, now, 1000)]],
  ['never started, requeued', [() => machine.claim(worker, now, 1000), (d) => machine.requeueUnstarted({ jobId: d._id, attempt: d.attempt, workerId: 'w1' }, now), () => machine.claim(worker, now, 1000)]],
  ['timed out, retried by hand', [() => machine.claim(worker, now, 1000), (d) => machine.start(ref(d), now, 1000), (d) => machine.timeOut({ jobId: d._id, attempt: d.attempt, workerId: 'w1' }, 5, now), (d) => machine.retry({ jobId: d._id, attempt: d.attempt, maxAttempts: d.maxAttempts }, now)]],
];

describe('jobProgress', () => {
  it.each(walks)('rises with every transition: %s', (_name, steps) => {
    let doc = queued();
    for (const step of steps) {
      const next = apply(doc, step(doc));
      expect(jobProgress(next)).toBeGreaterThan(jobProgress(doc));
      doc = next;
    }
  });

  it('does not move when only the lease is renewed', () => {
    const running = apply(apply(queued(), machine.claim(worker, now, 1000)), machine.start({ jobId: 'j1', attempt: 1, workerId: 'w1' }, now, 1000));
    const renewed = apply(running, machine.renewLease({ jobId: 'j1', attempt: 1, workerId: 'w1' }, new Date(now.getTime() + 5000), 1000));
    expect(jobProgress(renewed)).toBe(jobProgress(running));
  });

  it('reads a payload as well as a stored job (dates as strings)', () => {
    expect(jobProgress({ attempt: 2, status: 'RUNNING', cancelRequestedAt: '2026-01-01T00:00:00.000Z' })).toBe(jobProgress({ attempt: 2, status: JobStatus.RUNNING, cancelRequestedAt: now }));
    expect(jobProgress({ attempt: 2, status: 'RUNNING' })).toBeLessThan(jobProgress({ attempt: 2, status: 'RUNNING', cancelRequestedAt: now }));
  });
});
