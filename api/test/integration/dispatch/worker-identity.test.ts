import mongoose from 'mongoose';
import { startMongoWireServer } from '@cmd-executor/mongo-wire';
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { eventually } from '@cmd-executor/test-support/eventually';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import { WorkerModel } from '../../../src/storage/models';

/** Worker identity is token + name; agents tell their processes apart with an instance id. */
let mongo: Awaited<ReturnType<typeof startMongoWireServer>>;
let t: TestApi;
const fakes: FakeWorker[] = [];

const REGISTER = 'mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id name status } }';

async function register(token: string, input: Record<string, unknown>): Promise<{ fake: FakeWorker; worker: { id: string; name: string; status: string } }> {
  const fake = new FakeWorker(t.wsUrl, token);
  fakes.push(fake);
  const r = await fake.request<{ registerWorker: { id: string; name: string; status: string } }>(REGISTER, { i: { capacity: 1, ...input } });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return { fake, worker: r.data.registerWorker };
}

beforeAll(async () => {
  mongo = await startMongoWireServer({ port: 0 });
  const uri = `${mongo.uri}/identity`;
  // A store from when a token was one worker: a unique index on tokenId.
  const conn = await mongoose.createConnection(uri).asPromise();
  await conn.collection('workers').createIndex({ tokenId: 1 }, { unique: true });
  await conn.close();
  t = await startTestApi({ mongoUri: uri });
});
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await t?.close();
  await mongo?.close();
});

it('drops the old one-worker-per-token index at start', async () => {
  const indexes = await WorkerModel.collection.indexes();
  expect(indexes.find((i) => i.name === 'tokenId_1')).toBeUndefined();
  expect(indexes.find((i) => i.name === 'tokenId_1_name_1')?.unique).toBe(true);
});

it('a second live agent gets name-2; the same process reconnecting keeps its record; a new process reclaims a name once its holder is gone', async () => {
  const { token } = await createWorkerToken(t, 'pool');
  const a = await register(token, { instanceId: 'proc-a' });
  const b = await register(token, { instanceId: 'proc-b' });
  const c = await register(token, { instanceId: 'proc-c', name: 'pool' });
  expect([a.worker.name, b.worker.name, c.worker.name]).toEqual(['pool', 'pool-2', 'pool-3']);
  expect(new Set([a.worker.id, b.worker.id, c.worker.id]).size).toBe(3);

  // proc-b reconnects on a new socket, even while asking for the bare name: still pool-2.
  const b2 = await register(token, { instanceId: 'proc-b' });
  expect(b2.worker).toMatchObject({ id: b.worker.id, name: 'pool-2' });

  // proc-a exits (its socket closes: OFFLINE); a new process takes "pool" back, not pool-4.
  await a.fake.close();
  await eventually(async () => ((await WorkerModel.findById(a.worker.id).lean())?.status === 'OFFLINE' ? true : undefined), 10_000, 'pool to go OFFLINE');
  const d = await register(token, { instanceId: 'proc-d' });
  expect(d.worker).toMatchObject({ id: a.worker.id, name: 'pool', status: 'ONLINE' });
});

it('agents that send no instance id share one record per name, as before', async () => {
  const { token } = await createWorkerToken(t, 'legacy');
  const a = await register(token, {});
  const b = await register(token, {});
  expect(b.worker.id).toBe(a.worker.id);
});

it('two agents registering at the same moment never share a record', async () => {
  const { token } = await createWorkerToken(t, 'race');
  const all = await Promise.all(Array.from({ length: 6 }, (_, i) => register(token, { instanceId: `race-${i}` })));
  expect(new Set(all.map((r) => r.worker.id)).size).toBe(6);
  expect(all.map((r) => r.worker.name).sort()).toEqual(['race', 'race-2', 'race-3', 'race-4', 'race-5', 'race-6']);
});
