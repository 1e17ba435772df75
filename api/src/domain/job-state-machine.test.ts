import { Query } from 'mingo';
import { JobStatus, SandboxKind } from './enums';
import * as machine from './job-state-machine';

/** Evaluates a transition's filter the way MongoDB would (mingo: the embedded store's engine). */
function matches(filter: Record<string, unknown>, doc: Record<string, unknown>): boolean {
  return new Query(filter as never, {}).test(doc);
}

const now = new Date('2026-01-01T00:00:00Z');
const worker = { workerId: 'w1', labels: ['linux', 'gpu'], sandboxes: [SandboxKind.NONE, SandboxKind.NAMESPACE] };
const queued = (extra: Record<string, unknown> = {}) => ({ _id: 'j1', status: JobStatus.QUEUED, requirements: [], attempt: 1, ...extra });

describe('claim', () => {
  const { filter, sort, update } = machine.claim(worker, now, 15_000);

  it('takes a queued job whose requirements are all among the labels', () => {
    expect(matches(filter, queued({ requirements: ['linux'] }))).toBe(true);
    expect(matches(filter, queued({ requirements: ['linux', 'gpu'] }))).toBe(true);
    expect(matches(filter, queued({ requirements: [] }))).toBe(true);
  });

  it('leaves a job needing a label the worker lacks', () => {
    expect(matches(filter, queued({ requirements: ['linux', 'arm64'] }))).toBe(false);
  });

  it('respects the sandbox the job asks for', () => {
    expect(matches(filter, queued({ sandbox: SandboxKind.NAMESPACE }))).toBe(true);
    expect(matches(filter, queued({ sandbox: SandboxKind.DOCKER }))).toBe(false);
    expect(matches(filter, queued({ sandbox: null }))).toBe(true);
  });

  it('waits out a retry backoff', () => {
    expect(matches(filter, queued({ notBefore: new Date(now.getTime() + 1) }))).toBe(false);
    expect(matches(filter, queued({ notBefore: now }))).toBe(true);
    expect(matches(filter, queued({ notBefore: null }))).toBe(true);
  });

  it('only claims QUEUED jobs, best priority first then oldest', () => {
    expect(matches(filter, queued({ status: JobStatus.ASSIGNED }))).toBe(false);
    expect(sort).toEqual({ priority: -1, queuedAt: 1 });
    expect(update.$set).toMatchObject({ status: JobStatus.ASSIGNED, workerId: 'w1', leaseExpiresAt: new Date(now.getTime() + 15_000) });
  });
});

describe('fencing', () => {
  const ref = { jobId: 'j1', attempt: 2, workerId: 'w1' };
  const running = { _id: 'j1', attempt: 2, workerId: 'w1', status: JobStatus.RUNNING };

  it('matches only this attempt on this worker while the lease is held', () => {
    const f = machine.fence(ref);
    expect(matches(f, running)).toBe(true);
    expect(matches(f, { ...running, attempt: 3 })).toBe(false);
    expect(matches(f, { ...running, workerId: 'w2' })).toBe(false);
    expect(matches(f, { ...running, status: JobStatus.QUEUED })).toBe(false);
    expect(matches(f, { ...running, status: JobStatus.SUCCEEDED })).toBe(false);
  });

  it('complete pins whether a cancel was requested', () => {
    const asCanceled = machine.complete(ref, { canceled: true, exitCode: 143 }, true, null, now);
    expect(matches(asCanceled.filter, running)).toBe(false);
    expect(matches(asCanceled.filter, { ...running, cancelRequestedAt: now })).toBe(true);
    const plain = machine.complete(ref, { exitCode: 0 }, false, null, now);
    expect(matches(plain.filter, running)).toBe(true);
    expect(matches(plain.filter, { ...running, cancelRequestedAt: now })).toBe(false);
  });
});

describe('outcomeOf', () => {
  it.each([
    [{ exitCode: 0 }, false, JobStatus.SUCCEEDED],
    [{ exitCode: 0, error: 'process limit 64 exceeded' }, false, JobStatus.FAILED],
    [{ exitCode: 1 }, false, JobStatus.FAILED],
    [{ exitCode: 137, signal: 'SIGKILL' }, false, JobStatus.FAILED],
    [{ error: 'spawn ENOENT' }, false, JobStatus.FAILED],
    [{ canceled: true, signal: 'SIGTERM' }, true, JobStatus.CANCELED],
    [{ canceled: true, signal: 'SIGTERM' }, false, JobStatus.FAILED],
    [{ timedOut: true, signal: 'SIGTERM' }, false, JobStatus.TIMED_OUT],
  ])('%j (cancel requested: %s) → %s', (result, cancelRequested, status) => {
    expect(machine.outcomeOf(result, cancelRequested, 5).status).toBe(status);
  });

  it('keeps the spawn error', () => {
    expect(machine.outcomeOf({ error: 'spawn ENOENT' }, false)).toMatchObject({ error: 'spawn ENOENT' });
  });
});

describe('lost leases', () => {
  const lost = { jobId: 'j1', attempt: 1, maxAttempts: 3, status: JobStatus.RUNNING };
  const lapsed = { reason: machine.AttemptEndReason.LEASE_LAPSED, freeRetries: 0, lapsedBefore: now } as const;

  it('requeues as the next attempt after the backoff', () => {
    const t = machine.requeueLost(lost, now, 2000, lapsed);
    expect(t.update).toMatchObject({ $set: { status: JobStatus.QUEUED, notBefore: new Date(now.getTime() + 2000) }, $inc: { attempt: 1 } });
    expect(matches(t.filter, { _id: 'j1', attempt: 1, status: JobStatus.RUNNING, leaseExpiresAt: new Date(now.getTime() - 1) })).toBe(true);
    // a heartbeat renewed it first: the sweeper's update misses
    expect(matches(t.filter, { _id: 'j1', attempt: 1, status: JobStatus.RUNNING, leaseExpiresAt: new Date(now.getTime() + 1) })).toBe(false);
  });

  it('fails with "worker lost" when no attempt and no free retry is left', () => {
    const t = machine.requeueLost({ ...lost, attempt: 3 }, now, 2000, { ...lapsed, lapsedBefore: undefined });
    expect(t.update).toMatchObject({ $set: { status: JobStatus.FAILED, error: machine.WORKER_LOST } });
    expect(t.update).toMatchObject({ $push: { attempts: { attempt: 3, status: JobStatus.FAILED, endReason: machine.AttemptEndReason.LEASE_LAPSED } } });
  });

  it('a lost attempt is retried without using up maxAttempts while free retries are left', () => {
    const t = machine.requeueLost({ ...lost, attempt: 1, maxAttempts: 1 }, now, 2000, { ...lapsed, freeRetries: 2 });
    expect(t.update).toMatchObject({ $set: { status: JobStatus.QUEUED, lostRetries: 1 }, $inc: { attempt: 1, maxAttempts: 1 } });
    // a job stored before the field existed counts as none used
    expect(matches(t.filter, { _id: 'j1', attempt: 1, status: JobStatus.RUNNING, cancelRequestedAt: null, leaseExpiresAt: new Date(0) })).toBe(true);
    // a pass that already spent this free retry: the second one misses
    expect(matches(t.filter, { _id: 'j1', attempt: 1, status: JobStatus.RUNNING, cancelRequestedAt: null, leaseExpiresAt: new Date(0), lostRetries: 1 })).toBe(false);
  });

  it('free retries used up: the lost attempt counts against maxAttempts again', () => {
    const t = machine.requeueLost({ ...lost, attempt: 3, maxAttempts: 3, lostRetries: 2 }, now, 2000, { ...lapsed, freeRetries: 2 });
    expect(t.update).toMatchObject({ $set: { status: JobStatus.FAILED, error: machine.WORKER_LOST } });
    expect(matches(t.filter, { _id: 'j1', attempt: 3, status: JobStatus.RUNNING, cancelRequestedAt: null, leaseExpiresAt: new Date(0), lostRetries: 2 })).toBe(true);
    const retried = machine.requeueLost({ ...lost, attempt: 2, maxAttempts: 3, lostRetries: 2 }, now, 2000, { ...lapsed, freeRetries: 2 });
    expect(retried.update).toMatchObject({ $set: { status: JobStatus.QUEUED, lostRetries: 2 }, $inc: { attempt: 1 } });
    expect((retried.update.$inc as Record<string, number>).maxAttempts).toBeUndefined();
  });

  it('an agent shutdown requeues its attempt, fenced on the worker, recording why', () => {
    const ref = { jobId: 'j1', attempt: 1, workerId: 'w1' };
    const t = machine.requeueShutdown(ref, { maxAttempts: 1 }, now, 1000, 2);
    expect(t.update).toMatchObject({
      $set: { status: JobStatus.QUEUED, lostRetries: 1 },
      $inc: { attempt: 1, maxAttempts: 1 },
      $push: { attempts: { attempt: 1, workerId: 'w1', status: JobStatus.QUEUED, endReason: machine.AttemptEndReason.AGENT_SHUTDOWN } },
    });
    const doc = { _id: 'j1', attempt: 1, workerId: 'w1', status: JobStatus.RUNNING, cancelRequestedAt: null };
    expect(matches(t.filter, doc)).toBe(true);
    expect(matches(t.filter, { ...doc, status: JobStatus.ASSIGNED })).toBe(true);
    expect(matches(t.filter, { ...doc, workerId: 'w2' })).toBe(false);
    // a cancel requested first wins: the shutdown does not requeue a canceled job
    expect(matches(t.filter, { ...doc, cancelRequestedAt: now })).toBe(false);
    // no free retry and no attempt left: FAILED as before
    expect(machine.requeueShutdown(ref, { maxAttempts: 1, lostRetries: 2 }, now, 1000, 2).update).toMatchObject({ $set: { status: JobStatus.FAILED } });
  });

  it('a completion records the attempt and why it ended', () => {
    const t = machine.complete({ jobId: 'j1', attempt: 2, workerId: 'w1' }, { exitCode: 0 }, false, null, now);
    expect(t.update).toMatchObject({ $push: { attempts: { attempt: 2, workerId: 'w1', status: JobStatus.SUCCEEDED, endReason: machine.AttemptEndReason.FINISHED, endedAt: now } } });
  });

  it('a retry by the user restores the free retries', () => {
    const t = machine.retry({ jobId: 'j1', attempt: 3, maxAttempts: 3 }, now);
    expect(t.update).toMatchObject({ $set: { lostRetries: 0 } });
  });

  it('an unstarted attempt does not use up a try', () => {
    const t = machine.requeueUnstarted({ jobId: 'j1', attempt: 1 }, now);
    expect(t.update).toMatchObject({ $set: { status: JobStatus.QUEUED }, $inc: { attempt: 1, maxAttempts: 1 } });
    expect(matches(t.filter, { _id: 'j1', attempt: 1, status: JobStatus.RUNNING })).toBe(false);
  });
});
