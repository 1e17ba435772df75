import 'reflect-metadata';
import mongoose, { Types } from 'mongoose';
import { JobModel } from '../../../src/storage/models';
import { insertJob } from '../../../src/storage/repositories/job-lease.repository';
import { startTestMongo, type TestMongo } from '@cmd-executor/test-support/test-mongo';

/** insertJob skips building a mongoose document: what it stores must be what `create` stores. */
let target: TestMongo;
beforeAll(async () => {
  target = await startTestMongo('insert_job');
  await mongoose.connect(target.uri, { dbName: target.dbName });
});
afterAll(async () => {
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await mongoose.disconnect();
  await target.close();
});

const stored = async (id: unknown): Promise<Record<string, unknown>> => {
  const { _id, createdAt, updatedAt, idempotencyKey, ...rest } = (await JobModel.findById(id).lean().exec()) as unknown as Record<string, unknown>;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt).toEqual(createdAt);
  return rest;
};

it.each([
  ['a minimal job', { command: 'true' }],
  ['every field', { command: 'echo', args: ['a', 'b'], env: [{ name: 'A', value: 'v', secret: true }], requirements: ['gpu'], priority: 5, maxAttempts: 3, timeoutSeconds: 60, sandbox: 'NAMESPACE', limits: { memoryMb: 64, pids: 10 }, cwd: 'sub' }],
  ['an assignment at insert', { command: 'x', workerId: new Types.ObjectId(), assignedAt: new Date(), leaseExpiresAt: new Date(Date.now() + 15_000) }],
])('stores %s exactly as JobModel.create does', async (_name, extra) => {
  const base = { createdById: new Types.ObjectId(), status: 'QUEUED', attempt: 1, queuedAt: new Date() };
  const fields = { ...base, ...extra } as never;
  const fast = await insertJob(fields);
  const slow = await JobModel.create(fields);
  expect(fast.id).toBe(String(fast._id));
  const fastStored = await stored(fast._id);
  expect(fastStored).toEqual(await stored(slow._id));
  // What decides who may run it, as one key (domain/claim-key.ts).
  const { requirements, sandbox } = extra as { requirements?: string[]; sandbox?: string };
  expect(fastStored.claimKey).toBe(JSON.stringify([requirements ?? [], sandbox ?? null]));
});

it('refuses a value the schema cannot cast', async () => {
  await expect(insertJob({ command: 'x', createdById: 'not-an-id' } as never)).rejects.toThrow(/Cast/);
});
