/**
 * What a Redis outage loses, two replicas see again: on a Redis of our own (the shared one is
 * never touched), two APIs on one store. A job that ends while Redis is away reaches every
 * jobUpdated subscriber — the all-jobs stream included — exactly once; a worker token revoked
 * or a user disabled meanwhile loses its open sockets on the other replica when Redis is back.
 */
import type { Client } from 'graphql-ws';
import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { eventually } from '@cmd-executor/test-support/eventually';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { collect, gql, ok, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { OwnRedisServer } from '@cmd-executor/test-support/redis-server';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

jest.setTimeout(30_000);

type JobEvent = { jobUpdated: { id: string; status: string; attempt: number } };
const ALL_JOBS = 'subscription { jobUpdated { id status attempt } }';
const ONE_JOB = 'subscription ($id: ID) { jobUpdated(id: $id) { id status attempt } }';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: OwnRedisServer;
let a: TestApi;
let b: TestApi;
const logs: Array<Record<string, unknown>> = [];
const clients: Client[] = [];
const workers: FakeWorker[] = [];

beforeAll(async () => {
  redis = await OwnRedisServer.start();
  a = await startTestApi({ env: { REDIS_URL: redis.url } });
  b = await startTestApi({ mongoUri: a.mongoUri, redisPrefix: a.redisPrefix, env: { REDIS_URL: redis.url }, logs });
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  for (const w of workers) await w.close().catch(() => undefined);
  await b?.close().catch(() => undefined);
  await a?.close().catch(() => undefined);
  await redis?.close();
});

/** Takes Redis away for the length of `during`, then brings it back. */
async function outage(during: () => Promise<void>): Promise<void> {
  await redis.kill();
  await pause(200);
  try {
    await during();
  } finally {
    await redis.start();
  }
}

const statusesOf = (events: JobEvent[], id: string) => events.filter((e) => e.jobUpdated.id === id).map((e) => e.jobUpdated.status);

it('a job that ends while Redis is away reaches every jobUpdated subscriber once, in order', async () => {
  const worker = new FakeWorker(a.wsUrl, (await createWorkerToken(a, 'catch-up-worker', ['here'])).token);
  workers.push(worker);
  await worker.register({ name: 'catch-up-worker', labels: ['here'], capacity: 1 });
  worker.subscribe();
  const as = { token: a.adminToken };
  const subscriber = (api: TestApi) => {
    const c = wsClient(api.wsUrl, { authToken: api.adminToken });
    clients.push(c);
    return c;
  };
  // On the other replica (it hears of the end only through Redis), and on the worker's own.
  const allOnB = collect<JobEvent>(subscriber(b), ALL_JOBS);
  const allOnA = collect<JobEvent>(subscriber(a), ALL_JOBS);
  // Subscribing is asynchronous on the server (Redis SUBSCRIBE): probe jobs, for a label no
  // worker has, until both streams are live, or the job's first states could go unseen.
  const deadline = Date.now() + 5000;
  while ([allOnA, allOnB].some((sub) => sub.events.length === 0) && Date.now() < deadline) {
    ok(await gql(a.url, 'mutation { createJob(input: { command: "probe", requirements: ["nowhere"] }) { id } }', {}, as));
    await Promise.all([allOnA, allOnB].map((sub) => sub.until(() => sub.events.length > 0, 200).catch(() => undefined)));
  }
  expect(allOnA.events.length * allOnB.events.length).toBeGreaterThan(0);

  // Live before the outage: the job's first states arrive on both replicas.
  const id = ok(await gql<{ createJob: { id: string } }>(a.url, 'mutation { createJob(input: { command: "true", requirements: ["here"] }) { id } }', {}, as)).createJob.id;
  await worker.waitFor((events) => events.some((e) => e.kind === 'ASSIGN' && e.jobId === id));
  expect(ok(await worker.start(id, 1)).startJob.status).toBe('RUNNING');
  const oneOnB = collect<JobEvent>(subscriber(b), ONE_JOB, { id });
  for (const sub of [allOnA, allOnB]) await sub.until(() => statusesOf(sub.events, id).includes('RUNNING'));
  await oneOnB.until(() => statusesOf(oneOnB.events, id).includes('RUNNING'));

  let other = '';
  await outage(async () => {
    expect(ok(await worker.complete(id, 1, { exitCode: 0 })).completeJob.status).toBe('SUCCEEDED');
    // A second job, queued for a label no worker has, and canceled: both happen while Redis is away.
    other = ok(await gql<{ createJob: { id: string } }>(a.url, 'mutation { createJob(input: { command: "true", requirements: ["nowhere"] }) { id } }', {}, as)).createJob.id;
    expect(ok(await gql<{ cancelJob: { status: string } }>(a.url, 'mutation ($id: ID!) { cancelJob(id: $id) { status } }', { id: other }, as)).cancelJob.status).toBe('CANCELED');
    // The replica whose publish failed reads the store at once; the other cannot know yet.
    await allOnA.until(() => statusesOf(allOnA.events, other).includes('CANCELED'), 3000);
    expect(statusesOf(allOnA.events, id).at(-1)).toBe('SUCCEEDED');
    expect(statusesOf(allOnB.events, id)).not.toContain('SUCCEEDED');
    expect(statusesOf(oneOnB.events, id)).not.toContain('SUCCEEDED');
  });

  // Redis back: the other replica's subscribers catch up from the store.
  await allOnB.until(() => statusesOf(allOnB.events, id).includes('SUCCEEDED') && statusesOf(allOnB.events, other).includes('CANCELED'), 8000);
  await oneOnB.until(() => statusesOf(oneOnB.events, id).includes('SUCCEEDED'), 8000);
  // Live again: a job created now reaches B through Redis, after anything the catch-up sent.
  const later = ok(await gql<{ createJob: { id: string } }>(a.url, 'mutation { createJob(input: { command: "true", requirements: ["nowhere"] }) { id } }', {}, as)).createJob.id;
  await allOnB.until(() => statusesOf(allOnB.events, later).length > 0);

  for (const sub of [allOnA, allOnB, oneOnB]) {
    expect(sub.errors).toEqual([]);
    const seen = statusesOf(sub.events, id);
    // Each state once, in the order the job went through them, ending SUCCEEDED.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.at(-1)).toBe('SUCCEEDED');
    expect(seen.slice(seen.indexOf('RUNNING'))).toEqual(['RUNNING', 'SUCCEEDED']);
  }
  // The job canceled meanwhile: its current state, once (its QUEUED moment was never seen on B).
  expect(statusesOf(allOnB.events, other)).toEqual(['CANCELED']);
  expect(statusesOf(allOnA.events, other).filter((s) => s === 'CANCELED')).toEqual(['CANCELED']);
  // In the order the store changed them.
  const order = allOnB.events.map((e) => e.jobUpdated).filter((j) => (j.id === id && j.status === 'SUCCEEDED') || j.id === other);
  expect(order.map((j) => j.id)).toEqual([id, other]);

  // The operator can tell: one line when Redis went away, one when it came back.
  const messages = logs.map((l) => l.msg);
  expect(messages.filter((m) => m === 'redis connection restored')).toHaveLength(1);
  expect(messages.filter((m) => typeof m === 'string' && m.startsWith('redis connection lost'))).toHaveLength(1);
});

it('a worker token revoked or a user disabled while Redis is away loses its sockets on every replica', async () => {
  const closes = new Map<string, number>();
  const connect = async (api: TestApi, name: string, params: Record<string, unknown>): Promise<Client> => {
    const c = wsClient(api.wsUrl, params, { lazy: false, onClosed: (code) => closes.set(name, code) });
    clients.push(c);
    expect((await wsRequest(c, '{ __typename }')).errors).toBeUndefined(); // connected and admitted
    return c;
  };
  const tokenOnA = await createWorkerToken(a, 'revoked-on-a');
  const tokenOnB = await createWorkerToken(a, 'revoked-on-b');
  const keptOnB = await createWorkerToken(a, 'kept-on-b');
  const user = await createUser(a, 'disabled-during-outage');
  await connect(a, 'revoked-on-a', { workerToken: tokenOnA.token });
  await connect(b, 'revoked-on-b', { workerToken: tokenOnB.token });
  const kept = await connect(b, 'kept-on-b', { workerToken: keptOnB.token });
  await connect(b, 'user', { authToken: user.token });

  const as = { token: a.adminToken };
  await outage(async () => {
    for (const t of [tokenOnA, tokenOnB]) {
      expect(ok(await gql<{ revokeWorkerToken: boolean }>(a.url, 'mutation ($id: ID!) { revokeWorkerToken(id: $id) }', { id: t.id }, as)).revokeWorkerToken).toBe(true);
    }
    ok(await gql(a.url, 'mutation ($id: ID!) { disableUser(id: $id) { id } }', { id: user.id }, as));
    // The replica whose publish failed closes its own socket at once; the other cannot know yet.
    await eventually(() => closes.get('revoked-on-a'), 3000, 'the socket on the revoking replica to close');
    await pause(300);
    expect(closes.has('revoked-on-b')).toBe(false);
    expect(closes.has('user')).toBe(false);
  });

  // Redis back: the other replica checks its sockets' credentials against the store.
  await eventually(() => (closes.has('revoked-on-b') && closes.has('user') ? true : undefined), 8000, () => `sockets on B to close (closed: ${JSON.stringify([...closes])})`);
  expect(Object.fromEntries(closes)).toEqual({ 'revoked-on-a': 4403, 'revoked-on-b': 4403, user: 4403 });
  // A valid token keeps its socket.
  expect((await wsRequest(kept, '{ __typename }')).errors).toBeUndefined();
  expect(closes.has('kept-on-b')).toBe(false);
});
