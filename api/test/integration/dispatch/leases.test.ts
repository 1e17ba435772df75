import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { eventually } from '@cmd-executor/test-support/eventually';
import { collect, gql, ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { cancelOpenJobs, createJob, getJob, jobLogs, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

jest.setTimeout(30_000);

let t: DispatchApi;
const fakes: FakeWorker[] = [];
const clients: Array<{ dispose(): unknown }> = [];

async function worker(name: string, labels: string[], opts: { heartbeat?: boolean; capacity?: number } = {}): Promise<FakeWorker> {
  const token = (await createWorkerToken(t, name)).token;
  const w = new FakeWorker(t.wsUrl, token);
  (w as FakeWorker & { token: string }).token = token;
  fakes.push(w);
  await w.register({ name, labels, capacity: opts.capacity ?? 2 });
  if (opts.heartbeat !== false) w.autoHeartbeat(200);
  w.subscribe();
  return w;
}

async function statusIs(id: string, status: string, timeoutMs = 8000) {
  return eventually(async () => {
    const j = await getJob(t, id);
    return j.status === status ? j : undefined;
  }, timeoutMs, `job ${id} to be ${status}`);
}

const cancelJob = (id: string) => gql<{ cancelJob: { status: string } }>(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { status } }', { id }, { token: t.adminToken });

beforeAll(async () => {
  // These cases are about maxAttempts; lost attempts retried for free are lost-attempts.test.ts.
  t = await startDispatchApi({ lease: { lostAttemptRetries: 0 } });
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((w) => w.close()));
  await cancelOpenJobs(t);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.close();
});

describe('lost leases', () => {
  it('requeues a lapsed attempt as the next one after a backoff, records why, and fences the old attempt', async () => {
    const a = await worker('lease-a', ['lease1']);
    const job = await createJob(t, { command: 'work', requirements: ['lease1'], maxAttempts: 2 });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await a.start(job.id, 1));
    ok(await a.append(job.id, 1, [{ seq: 1, data: 'attempt one\n' }]));
    const sub = collect<{ jobLogs: { chunks: Array<{ attempt: number; seq: number; stream: string; data: string }> } }>(
      (() => {
        const c = wsClient(t.wsUrl, { authToken: t.adminToken });
        clients.push(c);
        return c;
      })(),
      'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { attempt seq stream data } } }',
      { id: job.id },
    );
    await sub.until(() => sub.events.flatMap((e) => e.jobLogs.chunks).length === 1);
    // the worker is cut off: no heartbeat, no assignments stream; its lease lapses
    a.stopHeartbeat();
    const cutAt = Date.now();
    a.unsubscribe();
    const requeued = await eventually(async () => {
      const j = await getJob(t, job.id);
      return j.attempt === 2 ? j : undefined;
    }, 8000, 'attempt 2').catch(async (err) => {
      throw new Error(`${String(err)}: ${JSON.stringify(await getJob(t, job.id))} ${JSON.stringify(await jobLogs(t, job.id, 1))}`);
    });
    expect(requeued.maxAttempts).toBe(2);
    const lines = await jobLogs(t, job.id, 1);
    expect(lines.map((l) => [l.seq, l.stream])).toEqual([
      [1, 'STDOUT'],
      [2, 'SYSTEM'],
    ]);
    expect(lines[1].data).toMatch(/worker lost.*retrying as attempt 2/);
    // it names the last heartbeat (200 ms apart, none after the cut), not the lease's expiry
    const since = Date.parse(/no heartbeat since (\S+)\)/.exec(lines[1].data)?.[1] ?? '');
    expect(since).toBeLessThanOrEqual(cutAt + 100);
    expect(since).toBeGreaterThan(cutAt - 1_500);

    // a second worker runs attempt 2; the first one's late calls are refused and change nothing
    const b = await worker('lease-b', ['lease1']);
    await b.waitFor((e) => e.some((x) => x.jobId === job.id && x.attempt === 2));
    ok(await b.start(job.id, 2));
    ok(await b.append(job.id, 2, [{ seq: 1, data: 'attempt two\n' }]));
    expect((await a.append(job.id, 1, [{ seq: 2, data: 'late\n' }])).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await a.complete(job.id, 1, { exitCode: 0 })).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await getJob(t, job.id)).toMatchObject({ status: 'RUNNING', attempt: 2 });
    ok(await b.complete(job.id, 2, { exitCode: 0 }));
    await sub.until(() => sub.done);
    // the live stream crossed into the retry in order
    expect(sub.events.flatMap((e) => e.jobLogs.chunks).map((c) => [c.attempt, c.seq, c.stream])).toEqual([
      [1, 1, 'STDOUT'],
      [1, 2, 'SYSTEM'],
      [2, 1, 'STDOUT'],
    ]);
    expect((await getJob(t, job.id)).status).toBe('SUCCEEDED');
  });

  it('fails with "worker lost" when the attempts are used up', async () => {
    const a = await worker('lost-a', ['lease2']);
    const job = await createJob(t, { command: 'work', requirements: ['lease2'] });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await a.start(job.id, 1));
    a.stopHeartbeat();
    const failed = await statusIs(job.id, 'FAILED');
    expect(failed).toMatchObject({ error: 'worker lost', attempt: 1 });
    const lines = await jobLogs(t, job.id, 1);
    expect(lines.at(-1)).toMatchObject({ stream: 'SYSTEM' });
    expect(lines.at(-1)?.data).toMatch(/no attempts left/);
    // the silent worker is OFFLINE until it speaks again
    const list = async () => ok(await gql<{ workers: Array<{ name: string; status: string }> }>(t.url, '{ workers { name status } }', undefined, { token: t.adminToken })).workers;
    await eventually(async () => ((await list()).find((w) => w.name === 'lost-a')?.status === 'OFFLINE' ? true : undefined));
    const hb = ok(await a.heartbeat([{ jobId: job.id, attempt: 1 }])).heartbeat;
    expect(hb.lost).toEqual([{ jobId: job.id, attempt: 1 }]);
    expect((await list()).find((w) => w.name === 'lost-a')?.status).toBe('ONLINE');
  });

  it('puts an assignment never started within the lease back in the queue without using up a try', async () => {
    const a = await worker('nostart', ['lease3']);
    const job = await createJob(t, { command: 'work', requirements: ['lease3'] });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    // a.autoHeartbeat lists nothing: the assignment is never started
    const back = await eventually(async () => {
      const j = await getJob(t, job.id);
      return j.attempt === 2 ? j : undefined;
    }, 8000, 'requeue');
    expect(back.maxAttempts).toBe(2);
    expect((await a.start(job.id, 1)).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await jobLogs(t, job.id, 1))[0].data).toMatch(/not started within its lease/);
  });
});

describe('timeouts', () => {
  it('ends a job past timeoutSeconds as TIMED_OUT and sends CANCEL to its worker', async () => {
    const a = await worker('slow', ['lease4']);
    const job = await createJob(t, { command: 'sleep 300', requirements: ['lease4'], timeoutSeconds: 1 });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await a.start(job.id, 1));
    const timedOut = await statusIs(job.id, 'TIMED_OUT');
    expect(timedOut.error).toMatch(/timed out after 1 s/);
    await a.waitFor((e) => e.some((x) => x.kind === 'CANCEL' && x.jobId === job.id && x.attempt === 1));
    expect((await jobLogs(t, job.id, 1)).at(-1)?.data).toMatch(/timed out/);
    // the worker's report after the fact changes nothing
    expect((await a.complete(job.id, 1, { canceled: true, signal: 'SIGTERM' })).errors?.[0].extensions?.code).toBe('CONFLICT');
  });
});

describe('cancel', () => {
  it('a running job: CANCEL goes to its worker, which reports it; the job ends CANCELED', async () => {
    const a = await worker('cancel-run', ['lease5']);
    const job = await createJob(t, { command: 'sleep 300', requirements: ['lease5'] });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await a.start(job.id, 1));
    expect(ok(await cancelJob(job.id)).cancelJob.status).toBe('RUNNING');
    await a.waitFor((e) => e.some((x) => x.kind === 'CANCEL' && x.jobId === job.id));
    expect(ok(await a.heartbeat()).heartbeat.cancel).toEqual([{ jobId: job.id, attempt: 1 }]);
    expect(ok(await a.complete(job.id, 1, { canceled: true, signal: 'SIGTERM' })).completeJob.status).toBe('CANCELED');
  });

  it('an assigned job that has not started ends CANCELED at once; a late start is refused', async () => {
    const a = await worker('cancel-assigned', ['lease6']);
    const job = await createJob(t, { command: 'x', requirements: ['lease6'] });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    expect(ok(await cancelJob(job.id)).cancelJob.status).toBe('CANCELED');
    expect((await a.start(job.id, 1)).errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('a job whose worker is gone is finalised by the sweeper', async () => {
    const a = await worker('cancel-gone', ['lease7']);
    const job = await createJob(t, { command: 'x', requirements: ['lease7'], maxAttempts: 3 });
    await a.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await a.start(job.id, 1));
    await a.close();
    ok(await cancelJob(job.id));
    const canceled = await statusIs(job.id, 'CANCELED');
    expect(canceled.attempt).toBe(1);
    expect((await jobLogs(t, job.id, 1)).at(-1)?.data).toMatch(/canceled: the worker stopped responding/);
  });
});

describe('reconnect', () => {
  it('keeps the leases of attempts the worker still runs and requeues the ones it lost', async () => {
    const a = await worker('reconnect', ['lease8'], { capacity: 2, heartbeat: false });
    const kept = await createJob(t, { command: 'kept', requirements: ['lease8'] });
    const lost = await createJob(t, { command: 'lost', requirements: ['lease8'], maxAttempts: 2 });
    await a.waitFor((e) => e.filter((x) => x.kind === 'ASSIGN').length === 2);
    ok(await a.start(kept.id, 1));
    ok(await a.start(lost.id, 1));
    // a new process/connection of the same worker identity, still running only `kept`
    const token = (a as FakeWorker & { token: string }).token;
    await a.close();
    const again = new FakeWorker(t.wsUrl, token);
    fakes.push(again);
    await again.register({ name: 'reconnect', labels: ['lease8'], capacity: 2, runningJobs: [{ jobId: kept.id, attempt: 1 }] });
    expect(await getJob(t, kept.id)).toMatchObject({ status: 'RUNNING', attempt: 1 });
    expect(await getJob(t, lost.id)).toMatchObject({ status: 'QUEUED', attempt: 2 });
    expect((await jobLogs(t, lost.id, 1)).at(-1)?.data).toMatch(/restarted and lost attempt 1/);
    ok(await again.complete(kept.id, 1, { exitCode: 0 }));
  });
});
