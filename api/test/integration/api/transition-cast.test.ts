import 'reflect-metadata';
import mongoose, { Types } from 'mongoose';
import * as sm from '../../../src/domain/job-state-machine';
import { AttemptEndReason, JobStatus, SandboxKind } from '../../../src/domain/enums';
import { JobModel } from '../../../src/storage/models';
import { applyTransition, applyTransitions, claimSeveral, insertJob } from '../../../src/storage/repositories/job-lease.repository';
import { startTestMongo, type TestMongo } from '@cmd-executor/test-support/test-mongo';

/**
 * The hot-path writes skip mongoose (job-driver-cast.ts): each transition of the state machine,
 * with ids as the GraphQL layer hands them over (hex strings), must store exactly what the same
 * transition stores through mongoose, and miss exactly when it misses.
 */
let target: TestMongo;
beforeAll(async () => {
  target = await startTestMongo('transition_cast');
  await mongoose.connect(target.uri, { dbName: target.dbName });
});
afterAll(async () => {
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await mongoose.disconnect();
  await target.close();
});

const workerId = new Types.ObjectId();
const w = String(workerId);
const now = new Date('2026-12-05T12:00:00.000Z');
const stamp = new Date(now.getTime() - 60_000);

type Fields = Record<string, unknown>;
const base = (extra: Fields): Fields => ({ command: 'true', createdById: new Types.ObjectId(), status: JobStatus.QUEUED, attempt: 1, maxAttempts: 2, queuedAt: stamp, ...extra });
const leased = (status: JobStatus, extra: Fields = {}): Fields => base({ status, workerId, assignedAt: stamp, leaseExpiresAt: new Date(now.getTime() + 5_000), ...(status === JobStatus.RUNNING ? { startedAt: stamp } : {}), ...extra });

/** The stored job without what differs between two inserts (ids, timestamps). */
async function stored(id: unknown): Promise<Fields> {
  const { _id, createdAt, updatedAt, createdById, ...rest } = (await JobModel.findById(id).lean().exec()) as unknown as Fields;
  return rest;
}

const cases: Array<[string, Fields, (jobId: string) => sm.Transition]> = [
  ['claim', base({ requirements: ['a'], sandbox: SandboxKind.NONE, notBefore: stamp }), () => sm.claim({ workerId: w, labels: ['a'], sandboxes: [SandboxKind.NONE] }, now, 15_000)],
  ['start', leased(JobStatus.ASSIGNED), (id) => sm.start({ jobId: id, attempt: 1, workerId: w }, now, 15_000)],
  ['renewLease', leased(JobStatus.RUNNING), (id) => sm.renewLease({ jobId: id, attempt: 1, workerId: w }, now, 15_000)],
  ['complete, succeeded', leased(JobStatus.RUNNING), (id) => sm.complete({ jobId: id, attempt: 1, workerId: w }, { exitCode: 0 }, false, null, now)],
  ['complete, failed with an error', leased(JobStatus.RUNNING, { error: 'old' }), (id) => sm.complete({ jobId: id, attempt: 1, workerId: w }, { exitCode: 3, error: 'boom', signal: 'SIGTERM' }, false, null, now)],
  ['complete, canceled', leased(JobStatus.RUNNING, { cancelRequestedAt: stamp }), (id) => sm.complete({ jobId: id, attempt: 1, workerId: w }, { canceled: true, signal: 'SIGTERM' }, true, null, now)],
  ['requeueShutdown', leased(JobStatus.RUNNING), (id) => sm.requeueShutdown({ jobId: id, attempt: 1, workerId: w }, { maxAttempts: 2, startedAt: stamp }, now, 1_000, 2)],
  ['requeueLost, out of attempts', leased(JobStatus.RUNNING, { lostRetries: 2 }), (id) => sm.requeueLost({ jobId: id, attempt: 2, maxAttempts: 2, status: JobStatus.RUNNING, lostRetries: 2, workerId: w, startedAt: stamp }, now, 1_000, { reason: AttemptEndReason.WORKER_LOST, freeRetries: 2 })],
  ['timeOut', leased(JobStatus.RUNNING), (id) => sm.timeOut({ jobId: id, attempt: 1, workerId: w, startedAt: stamp }, 5, now)],
  ['finalizeCancel', leased(JobStatus.ASSIGNED, { cancelRequestedAt: stamp }), (id) => sm.finalizeCancel({ jobId: id, attempt: 1, workerId: w }, now)],
  ['requestCancel', leased(JobStatus.RUNNING), (id) => sm.requestCancel(id, now)],
  ['a fence that misses (another worker)', leased(JobStatus.ASSIGNED), (id) => sm.start({ jobId: id, attempt: 1, workerId: String(new Types.ObjectId()) }, now, 15_000)],
];

it.each(cases)('%s: the driver path stores what mongoose stores', async (_name, fields, transition) => {
  // requeueLost's attempt 2 needs a job at attempt 2
  const extra = _name.startsWith('requeueLost') ? { attempt: 2 } : {};
  const viaDriver = await insertJob({ ...fields, ...extra } as never);
  const viaMongoose = await insertJob({ ...fields, ...extra } as never);
  // an old updatedAt, so the stamp an applied update leaves shows
  await JobModel.collection.updateMany({ _id: { $in: [viaDriver._id, viaMongoose._id] } }, { $set: { updatedAt: stamp } });
  const tDriver = transition(viaDriver.id);
  const tMongoose = transition(viaMongoose.id);
  // the claim picks by its filter: pin each to its own job
  if (_name === 'claim') {
    tDriver.filter = { ...tDriver.filter, _id: viaDriver.id };
    tMongoose.filter = { ...tMongoose.filter, _id: viaMongoose.id };
  }
  const fromDriver = await applyTransition(tDriver);
  const fromMongoose = await JobModel.findOneAndUpdate(tMongoose.filter, tMongoose.update, { returnDocument: 'after' }).lean().exec();
  expect(fromDriver === null).toBe(fromMongoose === null);
  expect(await stored(viaDriver._id)).toEqual(await stored(viaMongoose._id));
  const after = (await JobModel.findById(viaDriver._id).lean().exec()) as unknown as { updatedAt: Date };
  if (fromDriver) {
    expect(fromDriver.id).toBe(viaDriver.id);
    expect(after.updatedAt.getTime()).toBeGreaterThan(stamp.getTime());
  } else {
    expect(after.updatedAt).toEqual(stamp);
  }
});

it('applyTransitions applies each fenced update alone, and reads back only what took effect', async () => {
  const a = await insertJob(leased(JobStatus.ASSIGNED) as never);
  const b = await insertJob(leased(JobStatus.RUNNING) as never); // not ASSIGNED: start misses
  const results = await applyTransitions(
    [a, b].map((j) => sm.start({ jobId: j.id, attempt: 1, workerId: w }, now, 15_000)),
    (job) => job.status === JobStatus.RUNNING && job.startedAt?.getTime() === now.getTime(),
  );
  expect(results.map((r) => r?.id ?? null)).toEqual([a.id, null]);
  expect(results[0]).toMatchObject({ status: JobStatus.RUNNING, workerId });
  expect((await stored(b._id)).startedAt).toEqual(stamp);
});

it('claimSeveral claims the best candidates for a worker given as a string id', async () => {
  await JobModel.deleteMany({ status: JobStatus.QUEUED });
  const low = await insertJob(base({ priority: 0 }) as never);
  const high = await insertJob(base({ priority: 5 }) as never);
  await insertJob(base({ requirements: ['gpu'] }) as never); // not for this worker
  const t = sm.claim({ workerId: w, labels: [], sandboxes: [SandboxKind.NONE] }, now, 15_000);
  const claimed = await claimSeveral(t, 5, (job) => String(job.workerId) === w);
  expect(claimed.map((j) => j.id)).toEqual([high.id, low.id]);
  expect(claimed[0].workerId).toBeInstanceOf(Types.ObjectId);
  expect((await stored(low._id)).status).toBe(JobStatus.ASSIGNED);
});
