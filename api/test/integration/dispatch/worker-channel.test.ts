import type { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { eventually } from '@cmd-executor/test-support/eventually';
import { errorCode, gql, ok } from '@cmd-executor/test-support/graphql-client';
import { cancelOpenJobs, connectFakeWorker, createJob, getJob, startDispatchApi, type DispatchApi, type FakeWorkerOptions } from './support/dispatch-harness';

jest.setTimeout(20_000);

let t: DispatchApi;
const workers: FakeWorker[] = [];

async function worker(name: string, opts: FakeWorkerOptions & { api?: DispatchApi } = {}): Promise<FakeWorker> {
  const w = await connectFakeWorker(opts.api ?? t, name, opts);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  t = await startDispatchApi();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  // a failed test's leftovers must not be claimed in the next one
  await cancelOpenJobs(t);
});
afterAll(async () => {
  await t?.close();
});

describe('registration and assignment', () => {
  it('registers with lease settings and pushes ASSIGN with secret values to that worker only', async () => {
    const w = await worker('reg-1');
    const other = await worker('reg-other', { labels: ['elsewhere'], subscribe: true });
    const job = await createJob(t, {
      command: 'echo $TOKEN',
      requirements: [],
      env: [
        { name: 'PLAIN', value: 'visible' },
        { name: 'TOKEN', value: 's3cr3t-value', secret: true },
      ],
    });
    await eventually(async () => (w.assigned.length + other.assigned.length > 0 ? true : undefined), 5000, 'an ASSIGN');
    const [taker, idle] = w.assigned.length > 0 ? [w, other] : [other, w];
    const ev = taker.assigned[0];
    expect(ev).toMatchObject({ jobId: job.id, attempt: 1 });
    expect(ev.env).toEqual(
      expect.arrayContaining([
        { name: 'PLAIN', value: 'visible', secret: false },
        { name: 'TOKEN', value: 's3cr3t-value', secret: true },
      ]),
    );
    // the Job type itself never carries a secret value
    expect(ev.job?.env.find((e) => e.name === 'TOKEN')?.value).toBeNull();
    expect(idle.assigned).toHaveLength(0);
    const seen = await getJob(t, job.id);
    expect(seen).toMatchObject({ status: 'ASSIGNED', worker: { id: taker.workerId } });
    // the user-side view never shows the secret either
    const r = await gql<{ job: { env: Array<{ name: string; value: string | null }> } }>(t.url, 'query($id: ID!) { job(id: $id) { env { name value } } }', { id: job.id }, { token: t.adminToken });
    expect(JSON.stringify(r)).not.toContain('s3cr3t-value');
    await taker.start(job.id, 1);
    expect(ok(await taker.complete(job.id, 1, { exitCode: 0 })).completeJob.status).toBe('SUCCEEDED');
  });

  it('refuses worker operations to user tokens and user operations to worker tokens', async () => {
    const w = await worker('auth-1', { subscribe: false });
    const asUser = await gql(t.url, 'mutation { heartbeat(runningJobs: []) { leaseExpiresAt } }', undefined, { token: t.adminToken });
    expect(errorCode(asUser)).toBe('FORBIDDEN');
    const asWorker = await w.request('mutation { createJob(input: {command: "true"}) { id } }');
    expect(asWorker.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anon = await gql(t.url, 'mutation { heartbeat(runningJobs: []) { leaseExpiresAt } }');
    expect(errorCode(anon)).toBe('UNAUTHENTICATED');
  });
});

describe('disconnect', () => {
  // A replica (same store) with a lease much longer than the reconnect grace, to tell them apart.
  let slow: DispatchApi;
  beforeAll(async () => {
    slow = await startDispatchApi({ mongoUri: t.mongoUri, lease: { leaseMs: 6000, heartbeatMs: 300, reconnectGraceMs: 600, sweepIntervalMs: 100 } });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('a closed socket makes the worker OFFLINE at once; its job comes back after the reconnect grace, not a full lease', async () => {
    const w = await worker('bye', { labels: ['bye'], api: slow });
    const job = await createJob(slow, { command: 'x', requirements: ['bye'], maxAttempts: 2 });
    await w.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await w.start(job.id, 1));
    await w.close();
    const closedAt = Date.now();
    const list = async () => ok(await gql<{ workers: Array<{ name: string; status: string }> }>(slow.url, '{ workers { name status } }', undefined, { token: slow.adminToken })).workers;
    await eventually(async () => ((await list()).find((x) => x.name === 'bye')?.status === 'OFFLINE' ? true : undefined), 1000, 'OFFLINE');
    expect(await getJob(slow, job.id)).toMatchObject({ status: 'RUNNING', attempt: 1 });
    await eventually(async () => ((await getJob(slow, job.id)).attempt === 2 ? true : undefined), 5000, 'requeue');
    expect(Date.now() - closedAt).toBeLessThan(3000); // the lease alone would take 6 s
  });
});

describe('fencing', () => {
  it('refuses calls for an attempt that does not hold the lease, and changes nothing', async () => {
    const a = await worker('fence-a');
    const job = await createJob(t, { command: 'true' });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    const b = await worker('fence-b', { subscribe: false });
    expect(ok(await a.start(job.id, 1)).startJob.status).toBe('RUNNING');

    // wrong attempt, and the right attempt from another worker
    for (const r of [await a.complete(job.id, 2, { exitCode: 1 }), await b.complete(job.id, 1, { exitCode: 1 }), await b.start(job.id, 1), await b.append(job.id, 1, [{ seq: 1, data: 'x' }])]) {
      expect(r.errors?.[0].extensions?.code).toBe('CONFLICT');
    }
    const during = await getJob(t, job.id);
    expect(during).toMatchObject({ status: 'RUNNING', attempt: 1, exitCode: null, logBytes: 0 });

    expect(ok(await a.complete(job.id, 1, { exitCode: 3 })).completeJob).toMatchObject({ status: 'FAILED', exitCode: 3 });
    // a late duplicate from the same attempt: the lease is gone
    const late = await a.complete(job.id, 1, { exitCode: 0 });
    expect(late.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await getJob(t, job.id)).toMatchObject({ status: 'FAILED', exitCode: 3 });
  });

  it('maps results to final statuses', async () => {
    const w = await worker('results', { capacity: 4 });
    const cases: Array<[Record<string, unknown>, string, string | null]> = [
      [{ exitCode: 0 }, 'SUCCEEDED', null],
      [{ exitCode: 137, signal: 'SIGKILL' }, 'FAILED', null],
      [{ error: 'spawn /nope ENOENT' }, 'FAILED', 'spawn /nope ENOENT'],
      [{ timedOut: true, signal: 'SIGTERM' }, 'TIMED_OUT', 'timed out after 30 s'],
    ];
    const jobs = [];
    for (let i = 0; i < cases.length; i += 1) jobs.push(await createJob(t, { command: `job ${i}`, timeoutSeconds: 30 }));
    await w.waitFor((e) => e.filter((x) => x.kind === 'ASSIGN').length === cases.length);
    for (const [i, [result, status, error]] of cases.entries()) {
      if (i !== 2) await w.start(jobs[i].id, 1); // a spawn failure never started
      const done = ok(await w.complete(jobs[i].id, 1, result)).completeJob;
      expect(done).toMatchObject({ status, error });
    }
  });
});

describe('claiming', () => {
  it('serves higher priority first, then the oldest', async () => {
    const jobs = [];
    for (const p of [0, 5, 0, 10, 5]) jobs.push(await createJob(t, { command: `p${p}`, priority: p, requirements: ['order'] }));
    const w = await worker('order', { labels: ['order'], capacity: 1 });
    const order: string[] = [];
    for (let i = 0; i < jobs.length; i += 1) {
      await w.waitFor((e) => e.filter((x) => x.kind === 'ASSIGN').length === i + 1);
      const ev = w.assigned[i];
      order.push(ev.jobId);
      await w.start(ev.jobId, 1);
      await w.complete(ev.jobId, 1, { exitCode: 0 });
    }
    expect(order).toEqual([jobs[3], jobs[1], jobs[4], jobs[0], jobs[2]].map((j) => j.id));
  });

  it('routes by requirements ⊆ labels and by sandbox kind', async () => {
    const gpu = await worker('gpu', { labels: ['linux', 'gpu'], capacity: 5 });
    const plain = await worker('plain', { labels: ['linux'], capacity: 5, sandboxes: ['NONE', 'NAMESPACE'] });
    const needsGpu = await createJob(t, { command: 'a', requirements: ['linux', 'gpu'] });
    const needsNs = await createJob(t, { command: 'b', requirements: ['linux'], sandbox: 'NAMESPACE' });
    const nobody = await createJob(t, { command: 'c', requirements: ['linux', 'arm64'] });
    await gpu.waitFor((e) => e.some((x) => x.jobId === needsGpu.id));
    await plain.waitFor((e) => e.some((x) => x.jobId === needsNs.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(gpu.assigned.map((e) => e.jobId)).not.toContain(needsNs.id);
    expect([...gpu.assigned, ...plain.assigned].map((e) => e.jobId)).not.toContain(nobody.id);
    expect((await getJob(t, nobody.id)).status).toBe('QUEUED');
    for (const [w, j] of [[gpu, needsGpu], [plain, needsNs]] as const) await w.complete(j.id, 1, { exitCode: 0 });
    ok(await gql(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: nobody.id }, { token: t.adminToken }));
  });

  it('never assigns more than capacity, and refills a slot when one frees', async () => {
    const w = await worker('cap', { labels: ['cap'], capacity: 2 });
    const jobs = [];
    for (let i = 0; i < 5; i += 1) jobs.push(await createJob(t, { command: `c${i}`, requirements: ['cap'] }));
    await w.waitFor((e) => e.filter((x) => x.kind === 'ASSIGN').length === 2);
    await new Promise((r) => setTimeout(r, 400));
    expect(w.assigned).toHaveLength(2);
    const r = await gql<{ workers: Array<{ name: string; running: number; capacity: number }> }>(t.url, '{ workers { name running capacity } }', undefined, { token: t.adminToken });
    expect(ok(r).workers.find((x) => x.name === 'cap')).toMatchObject({ running: 2, capacity: 2 });
    let done = 0;
    while (done < 5) {
      const ev = w.assigned[done];
      await w.start(ev.jobId, 1);
      await w.complete(ev.jobId, 1, { exitCode: 0 });
      done += 1;
      if (done < 5) await w.waitFor((e) => e.filter((x) => x.kind === 'ASSIGN').length >= Math.min(5, done + 2));
      expect(w.assigned.length - done).toBeLessThanOrEqual(2);
    }
    expect(new Set(w.assigned.map((e) => e.jobId)).size).toBe(5);
  });

  it('follows a capacity lowered by registering again: no slot is handed out until the leases fit', async () => {
    const w = await worker('shrink', { labels: ['shrink'], capacity: 3 });
    const jobs = [];
    for (let i = 0; i < 5; i += 1) jobs.push(await createJob(t, { command: `s${i}`, requirements: ['shrink'] }));
    await w.waitFor((e) => e.filter((x) => x.kind === 'ASSIGN').length === 3);
    const held = w.assigned.slice(0, 3);
    await w.register({ name: 'shrink', labels: ['shrink'], capacity: 1, runningJobs: held.map((e) => ({ jobId: e.jobId, attempt: 1 })) });
    for (const ev of held.slice(0, 2)) {
      await w.start(ev.jobId, 1);
      ok(await w.complete(ev.jobId, 1, { exitCode: 0 }));
    }
    await new Promise((r) => setTimeout(r, 400));
    expect(w.assigned).toHaveLength(3); // one lease still held = the new capacity
    await w.start(held[2].jobId, 1);
    ok(await w.complete(held[2].jobId, 1, { exitCode: 0 }));
    await w.waitFor((e) => e.filter((x) => x.kind === 'ASSIGN').length === 4);
    await new Promise((r) => setTimeout(r, 400));
    expect(w.assigned).toHaveLength(4);
  });
});

describe('drain', () => {
  it('stops new assignments while the running job finishes', async () => {
    const w = await worker('drain', { labels: ['drain'], capacity: 3 });
    const first = await createJob(t, { command: 'long', requirements: ['drain'] });
    await w.waitFor((e) => e.some((x) => x.jobId === first.id));
    await w.start(first.id, 1);
    const r = await gql<{ drainWorker: { status: string } }>(t.url, 'mutation($id: ID!) { drainWorker(id: $id) { status } }', { id: w.workerId }, { token: t.adminToken });
    expect(ok(r).drainWorker.status).toBe('DRAINING');
    const second = await createJob(t, { command: 'after drain', requirements: ['drain'] });
    await new Promise((res) => setTimeout(res, 500));
    expect(w.assigned.map((e) => e.jobId)).toEqual([first.id]);
    expect(ok(await w.complete(first.id, 1, { exitCode: 0 })).completeJob.status).toBe('SUCCEEDED');
    expect((await getJob(t, second.id)).status).toBe('QUEUED');
    // only admins drain
    const user = await gql(t.url, 'mutation($id: ID!) { drainWorker(id: $id) { status } }', { id: w.workerId });
    expect(errorCode(user)).toBe('UNAUTHENTICATED');
    ok(await gql(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: second.id }, { token: t.adminToken }));
  });
});
