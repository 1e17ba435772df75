import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { collect, errorCode, gql, wsClient } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import type { Client } from 'graphql-ws';
import { Types } from 'mongoose';
import { JobModel } from '../../../src/storage/models';
import { Topics } from '../../../src/storage/pubsub';

const CREATE = `mutation($input: CreateJobInput!) {
  createJob(input: $input) { id command status attempt maxAttempts priority requirements createdBy { id username } env { name value secret } }
}`;
const GET = 'query($id: ID!) { job(id: $id) { id status cancelRequestedAt attempt } }';
const CANCEL = 'mutation($id: ID!) { cancelJob(id: $id) { id status cancelRequestedAt finishedAt } }';
const RETRY = 'mutation($id: ID!) { retryJob(id: $id) { id status attempt } }';
const LIST = 'query($first: Int, $after: String, $status: [JobStatus!]) { jobs(first: $first, after: $after, status: $status) { edges { cursor node { id createdAt createdBy { username } } } pageInfo { hasNextPage endCursor } } }';

type Job = { id: string; status: string; attempt: number; cancelRequestedAt?: string | null };

let t: TestApi;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestApi();
  alice = await createUser(t, 'alice');
  bob = await createUser(t, 'bob');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.close();
});

async function createJob(token: string, input: Record<string, unknown>) {
  return gql<{ createJob: Job & Record<string, unknown> }>(t.url, CREATE, { input }, { token });
}

describe('createJob', () => {
  it('stores the job with defaults and never returns a secret value', async () => {
    const r = await createJob(alice.token, {
      command: 'echo $GREETING',
      env: [
        { name: 'GREETING', value: 'hello' },
        { name: 'API_KEY', value: 's3cr3t-value', secret: true },
      ],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data?.createJob).toMatchObject({
      command: 'echo $GREETING',
      status: 'QUEUED',
      attempt: 1,
      maxAttempts: 1,
      priority: 0,
      requirements: [],
      createdBy: { id: alice.id, username: 'alice' },
      env: [
        { name: 'GREETING', value: 'hello', secret: false },
        { name: 'API_KEY', value: null, secret: true },
      ],
    });
    const again = await gql(t.url, 'query($id: ID!) { job(id: $id) { env { name value secret } } }', { id: r.data!.createJob.id }, { token: t.adminToken });
    expect(JSON.stringify(again.data)).not.toContain('s3cr3t-value');
  });

  it('refuses a worker token (FORBIDDEN) and an anonymous caller (UNAUTHENTICATED)', async () => {
    const worker = await createWorkerToken(t, 'w-jobs');
    const viaBearer = await createJob(worker.token, { command: 'true' });
    expect(errorCode(viaBearer)).toBe('FORBIDDEN');
    const viaHeader = await gql(t.url, CREATE, { input: { command: 'true' } }, { headers: { 'x-worker-token': worker.token } });
    expect(errorCode(viaHeader)).toBe('FORBIDDEN');
    const listing = await gql(t.url, LIST, {}, { headers: { 'x-worker-token': worker.token } });
    expect(errorCode(listing)).toBe('FORBIDDEN');
    const anonymous = await gql(t.url, CREATE, { input: { command: 'true' } });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});

describe('input limits (BAD_USER_INPUT naming the field)', () => {
  const env = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `V${i}`, value: 'x' }));
  const reqs = (n: number) => Array.from({ length: n }, (_, i) => `label-${i}`);
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['blank command', { command: '  \n\t ' }, 'input.command'],
    ['command over 64 KiB', { command: 'x'.repeat(64 * 1024 + 1) }, 'input.command'],
    ['command over 64 KiB in UTF-8 bytes', { command: 'é'.repeat(32 * 1024 + 1) }, 'input.command'],
    ['NUL in command', { command: 'echo a\u0000b' }, 'input.command'],
    ['NUL in args', { command: '/bin/echo', args: ['ok', 'b\u0000'] }, 'input.args[1]'],
    ['129 env vars', { command: 'true', env: env(129) }, 'input.env'],
    ['env name starting with a digit', { command: 'true', env: [{ name: '1ABC', value: 'x' }] }, 'input.env[0].name'],
    ['env name with a dash', { command: 'true', env: [{ name: 'OK', value: '' }, { name: 'A-B', value: 'x' }] }, 'input.env[1].name'],
    ['env over 64 KiB in total', { command: 'true', env: [{ name: 'A', value: 'x'.repeat(40_000) }, { name: 'B', value: 'y'.repeat(30_000) }] }, 'input.env'],
    ['NUL in env value', { command: 'true', env: [{ name: 'A', value: 'a\u0000' }] }, 'input.env[0].value'],
    ['NUL in env name', { command: 'true', env: [{ name: 'A\u0000', value: 'a' }] }, 'input.env[0].name'],
    ['17 requirements', { command: 'true', requirements: reqs(17) }, 'input.requirements'],
    ['NUL in a requirement', { command: 'true', requirements: ['linux\u0000'] }, 'input.requirements[0]'],
    ['NUL in cwd', { command: 'true', cwd: '/tmp\u0000' }, 'input.cwd'],
    ['NUL in idempotencyKey', { command: 'true', idempotencyKey: 'k\u0000' }, 'input.idempotencyKey'],
    ['priority -101', { command: 'true', priority: -101 }, 'input.priority'],
    ['priority 101', { command: 'true', priority: 101 }, 'input.priority'],
    ['timeoutSeconds 0', { command: 'true', timeoutSeconds: 0 }, 'input.timeoutSeconds'],
    ['timeoutSeconds 604801', { command: 'true', timeoutSeconds: 604_801 }, 'input.timeoutSeconds'],
    ['maxAttempts 0', { command: 'true', maxAttempts: 0 }, 'input.maxAttempts'],
    ['maxAttempts 11', { command: 'true', maxAttempts: 11 }, 'input.maxAttempts'],
  ];
  it.each(refused)('refuses %s', async (_name, input, field) => {
    const r = await createJob(alice.token, input);
    expect(r.data).toBeNull();
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].extensions?.field).toBe(field);
  });

  const accepted: Array<[string, Record<string, unknown>]> = [
    ['a command of exactly 64 KiB', { command: 'x'.repeat(64 * 1024) }],
    ['128 env vars', { command: 'true', env: env(128) }],
    ['env of exactly 64 KiB', { command: 'true', env: [{ name: 'A', value: 'x'.repeat(64 * 1024 - 1) }] }],
    ['16 requirements', { command: 'true', requirements: reqs(16) }],
    ['priority -100 and timeout 1', { command: 'true', priority: -100, timeoutSeconds: 1 }],
    ['priority 100, timeout 604800, maxAttempts 10', { command: 'true', priority: 100, timeoutSeconds: 604_800, maxAttempts: 10 }],
    ['maxAttempts 1', { command: 'true', maxAttempts: 1 }],
    ['env name _x9', { command: 'true', env: [{ name: '_x9', value: '' }] }],
  ];
  it.each(accepted)('accepts %s', async (_name, input) => {
    const r = await createJob(alice.token, input);
    expect(r.errors).toBeUndefined();
    expect(r.data?.createJob.status).toBe('QUEUED');
  });
});

describe('access to other users\' jobs', () => {
  let aliceJob: Job;
  beforeAll(async () => {
    aliceJob = (await createJob(alice.token, { command: 'sleep 1' })).data!.createJob;
  });

  it('bob can neither read, cancel nor retry it (NOT_FOUND, nothing changes)', async () => {
    for (const q of [GET, CANCEL, RETRY]) {
      const r = await gql(t.url, q, { id: aliceJob.id }, { token: bob.token });
      expect(r.data?.[Object.keys(r.data ?? {})[0] as never] ?? null).toBeNull();
      expect(errorCode(r)).toBe('NOT_FOUND');
    }
    const still = await gql<{ job: Job }>(t.url, GET, { id: aliceJob.id }, { token: alice.token });
    expect(still.data?.job).toMatchObject({ status: 'QUEUED', cancelRequestedAt: null });
  });

  it('bob\'s list holds only his jobs; the admin\'s holds everyone\'s', async () => {
    await createJob(bob.token, { command: 'bob-only' });
    const bobs = await gql<{ jobs: { edges: Array<{ node: { createdBy: { username: string } } }> } }>(t.url, LIST, { first: 100 }, { token: bob.token });
    expect(bobs.data!.jobs.edges.length).toBeGreaterThan(0);
    expect(new Set(bobs.data!.jobs.edges.map((e) => e.node.createdBy.username))).toEqual(new Set(['bob']));
    const all = await gql<{ jobs: { edges: Array<{ node: { createdBy: { username: string } } }> } }>(t.url, LIST, { first: 100 }, { token: t.adminToken });
    expect(new Set(all.data!.jobs.edges.map((e) => e.node.createdBy.username))).toEqual(new Set(['alice', 'bob']));
  });

  it('jobUpdated(id) starts with the job as it is now, so no change before subscribing is missed', async () => {
    const job = (await createJob(alice.token, { command: 'state-first', priority: 7 })).data!.createJob;
    const aliceWs = wsClient(t.wsUrl, { authToken: alice.token });
    clients.push(aliceWs);
    const one = collect<{ jobUpdated: { id: string; status: string; priority: number } }>(
      aliceWs,
      'subscription($id: ID) { jobUpdated(id: $id) { id status priority } }',
      { id: job.id },
    );
    // Nothing changes the job: the only event can be the current state.
    await one.until(() => one.events.length > 0);
    expect(one.events[0]!.jobUpdated).toEqual({ id: job.id, status: 'QUEUED', priority: 7 });
    await gql(t.url, CANCEL, { id: job.id }, { token: alice.token });
    await one.until(() => one.events.some((e) => e.jobUpdated.status === 'CANCELED'));
    one.unsubscribe();
  });

  it('bob cannot subscribe to it, and his all-jobs subscription never carries it', async () => {
    const bobWs = wsClient(t.wsUrl, { authToken: bob.token });
    const aliceWs = wsClient(t.wsUrl, { authToken: alice.token });
    clients.push(bobWs, aliceWs);
    const one = collect(bobWs, 'subscription($id: ID) { jobUpdated(id: $id) { id status } }', { id: aliceJob.id });
    await one.until(() => one.errors.length > 0);
    expect((one.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('NOT_FOUND');

    const bobAll = collect<{ jobUpdated: { id: string } }>(bobWs, 'subscription { jobUpdated { id status } }');
    const aliceOwn = collect<{ jobUpdated: { id: string; status: string } }>(aliceWs, 'subscription($id: ID) { jobUpdated(id: $id) { id status } }', {
      id: aliceJob.id,
    });
    // The server subscribes before it answers anything; give both subscriptions a moment to be live.
    await new Promise((r) => setTimeout(r, 300));
    const bobJob = (await createJob(bob.token, { command: 'marker' })).data!.createJob;
    await gql(t.url, CANCEL, { id: aliceJob.id }, { token: alice.token });
    await aliceOwn.until(() => aliceOwn.events.some((e) => e.jobUpdated.status === 'CANCELED'));
    await bobAll.until(() => bobAll.events.some((e) => e.jobUpdated.id === bobJob.id));
    // Bob's marker came after alice's cancel was published on the same channel order.
    const bobMarker2 = (await createJob(bob.token, { command: 'marker2' })).data!.createJob;
    await bobAll.until(() => bobAll.events.some((e) => e.jobUpdated.id === bobMarker2.id));
    expect(bobAll.events.map((e) => e.jobUpdated.id)).not.toContain(aliceJob.id);
    bobAll.unsubscribe();
    aliceOwn.unsubscribe();
  });
});

describe('cancel and retry', () => {
  it('a QUEUED job is CANCELED at once; canceling twice is harmless; retry queues the next attempt', async () => {
    const job = (await createJob(alice.token, { command: 'sleep 5' })).data!.createJob;
    const c1 = await gql<{ cancelJob: Job & { finishedAt: string } }>(t.url, CANCEL, { id: job.id }, { token: alice.token });
    expect(c1.data?.cancelJob).toMatchObject({ status: 'CANCELED' });
    expect(c1.data?.cancelJob.finishedAt).toBeTruthy();
    const c2 = await gql<{ cancelJob: Job }>(t.url, CANCEL, { id: job.id }, { token: alice.token });
    expect(c2.data?.cancelJob.status).toBe('CANCELED');

    const r1 = await gql<{ retryJob: Job }>(t.url, RETRY, { id: job.id }, { token: alice.token });
    expect(r1.data?.retryJob).toMatchObject({ id: job.id, status: 'QUEUED', attempt: 2 });
    const r2 = await gql(t.url, RETRY, { id: job.id }, { token: alice.token });
    expect(errorCode(r2)).toBe('CONFLICT');
  });

  it('a RUNNING job gets cancelRequestedAt and its worker is sent CANCEL (again on a second cancel); it stays RUNNING', async () => {
    const job = (await createJob(alice.token, { command: 'sleep 300' })).data!.createJob;
    const workerId = new Types.ObjectId();
    // Put it where a worker would have it, underneath the API.
    await JobModel.updateOne(
      { _id: job.id },
      { $set: { status: 'RUNNING', workerId, assignedAt: new Date(), startedAt: new Date(), leaseExpiresAt: new Date(Date.now() + 60_000) } },
    );
    const toWorker = t.api.container.pubsub.asyncIterator<{ kind: string; jobId: string; attempt: number }>(Topics.workerAssignments(workerId.toHexString()));
    await toWorker.ready;
    try {
      const c1 = await gql<{ cancelJob: Job }>(t.url, CANCEL, { id: job.id }, { token: alice.token });
      expect(c1.data?.cancelJob.status).toBe('RUNNING');
      expect(c1.data?.cancelJob.cancelRequestedAt).toBeTruthy();
      expect((await toWorker.next()).value).toMatchObject({ kind: 'CANCEL', jobId: job.id, attempt: 1 });
      const c2 = await gql<{ cancelJob: Job }>(t.url, CANCEL, { id: job.id }, { token: alice.token });
      expect(c2.data?.cancelJob.cancelRequestedAt).toBe(c1.data?.cancelJob.cancelRequestedAt);
      expect((await toWorker.next()).value).toMatchObject({ kind: 'CANCEL', jobId: job.id });
      expect(errorCode(await gql(t.url, RETRY, { id: job.id }, { token: alice.token }))).toBe('CONFLICT');
    } finally {
      await toWorker.return?.();
    }
  });

  it('an admin may cancel another user\'s job', async () => {
    const job = (await createJob(bob.token, { command: 'sleep 5' })).data!.createJob;
    const c = await gql<{ cancelJob: Job }>(t.url, CANCEL, { id: job.id }, { token: t.adminToken });
    expect(c.data?.cancelJob.status).toBe('CANCELED');
  });

  it('unknown and malformed ids are NOT_FOUND', async () => {
    for (const id of ['0123456789abcdef01234567', 'nope']) {
      expect(errorCode(await gql(t.url, GET, { id }, { token: alice.token }))).toBe('NOT_FOUND');
    }
  });
});

describe('idempotencyKey', () => {
  it('the same key from the same user returns the first job, also under concurrency; another user gets their own', async () => {
    const input = { command: 'echo once', idempotencyKey: 'deploy-42' };
    const results = await Promise.all(Array.from({ length: 6 }, () => createJob(alice.token, input)));
    const ids = new Set(results.map((r) => r.data?.createJob.id));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(ids.size).toBe(1);
    const later = await createJob(alice.token, { ...input, command: 'echo different' });
    expect(later.data?.createJob.id).toBe([...ids][0]);
    expect(later.data?.createJob.command).toBe('echo once');
    const bobs = await createJob(bob.token, input);
    expect(ids.has(bobs.data!.createJob.id)).toBe(false);
    const noKey = await createJob(alice.token, { command: 'echo once' });
    expect(ids.has(noKey.data!.createJob.id)).toBe(false);
  });

  it('a key older than 24 h is free again', async () => {
    const first = (await createJob(alice.token, { command: 'nightly', idempotencyKey: 'nightly-1' })).data!.createJob;
    // Age it by 25 h underneath the API (the raw driver: mongoose would not let createdAt change).
    await JobModel.collection.updateOne({ _id: new Types.ObjectId(first.id) }, { $set: { createdAt: new Date(Date.now() - 25 * 3600 * 1000) } });
    const second = (await createJob(alice.token, { command: 'nightly', idempotencyKey: 'nightly-1' })).data!.createJob;
    expect(second.id).not.toBe(first.id);
    const third = (await createJob(alice.token, { command: 'nightly', idempotencyKey: 'nightly-1' })).data!.createJob;
    expect(third.id).toBe(second.id);
  });
});

describe('jobs pagination', () => {
  it('pages newest first without duplicates or gaps while jobs are being created', async () => {
    const carol = await createUser(t, 'carol');
    const before: string[] = [];
    for (let i = 0; i < 25; i += 1) before.push((await createJob(carol.token, { command: `echo ${i}` })).data!.createJob.id);

    let creating = true;
    const created: string[] = [];
    const writer = (async () => {
      for (let i = 0; i < 15 && creating; i += 1) created.push((await createJob(carol.token, { command: `late ${i}` })).data!.createJob.id);
    })();

    const seen: string[] = [];
    const stamps: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: { data?: { jobs: { edges: Array<{ node: { id: string; createdAt: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null } =
        await gql(t.url, LIST, { first: 4, after }, { token: carol.token });
      const page = r.data!.jobs;
      seen.push(...page.edges.map((e) => e.node.id));
      stamps.push(...page.edges.map((e) => Date.parse(e.node.createdAt)));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(50);
    }
    creating = false;
    await writer;

    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    for (const id of seen) expect([...before, ...created]).toContain(id);
    for (let i = 1; i < stamps.length; i += 1) expect(stamps[i]).toBeLessThanOrEqual(stamps[i - 1]);
    // The 25 that existed before paging began come in creation order, newest first.
    expect(seen.filter((id) => before.includes(id))).toEqual([...before].reverse());
  });

  it('filters by status and refuses bad page arguments', async () => {
    const r = await gql<{ jobs: { edges: Array<{ node: { id: string } }> } }>(t.url, 'query { jobs(status: [CANCELED], first: 100) { edges { node { id status } } } }', {}, { token: alice.token });
    const statuses = (r.data!.jobs.edges as unknown as Array<{ node: { status: string } }>).map((e) => e.node.status);
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['CANCELED']));
    const big = await gql(t.url, LIST, { first: 101 }, { token: alice.token });
    expect(errorCode(big)).toBe('BAD_USER_INPUT');
    expect(big.errors?.[0].extensions?.field).toBe('first');
    const badCursor = await gql(t.url, LIST, { after: 'garbage' }, { token: alice.token });
    expect(big.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(badCursor.errors?.[0].extensions?.field).toBe('after');
  });
});
