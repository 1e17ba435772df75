import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { agentCliBuilt, startAgentProcess, type AgentProcess } from '@cmd-executor/test-support/agent-process';
import { eventually } from '@cmd-executor/test-support/eventually';
import type { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { collect, gql, ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import { cancelOpenJobs, connectFakeWorker, createJob, getJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

/**
 * The batched worker channel over real sockets: several jobs in one assignmentBatch event,
 * startJobs / completeJobs answering each attempt alone, and a real agent that uses them.
 */
jest.setTimeout(60_000);

let t: DispatchApi;
const workers: FakeWorker[] = [];
const agents: AgentProcess[] = [];

interface Report {
  jobId: string;
  attempt: number;
  accepted: boolean;
  code: string | null;
  job: { status: string } | null;
}
const BATCH = `subscription { assignmentBatch { kind jobId attempt job { id command } } }`;
const START_JOBS = 'mutation($a: [JobAttemptInput!]!) { startJobs(attempts: $a) { jobId attempt accepted code job { status } } }';
const COMPLETE_JOBS = 'mutation($c: [JobCompletionInput!]!) { completeJobs(completions: $c) { jobId attempt accepted code job { status } } }';

beforeAll(async () => {
  t = await startDispatchApi({ lease: { leaseMs: 5000, heartbeatMs: 1000 } });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await cancelOpenJobs(t);
});
afterAll(async () => {
  await t?.close();
});

async function fakeWorker(name: string, capacity: number): Promise<FakeWorker> {
  const w = await connectFakeWorker(t, name, { capacity, subscribe: false, labels: [name] });
  workers.push(w);
  return w;
}

it('a worker with N free slots gets N queued jobs in one assignments message, and startJobs/completeJobs answer each attempt alone', async () => {
  const w = await fakeWorker('batch-a', 4);
  const other = await fakeWorker('batch-b', 1);
  // Queued while no stream is open: nothing can take them yet.
  const jobs = [];
  for (let i = 0; i < 4; i++) jobs.push(await createJob(t, { command: `echo ${i}`, requirements: ['batch-a'] }));
  const stream = collect<{ assignmentBatch: Array<{ kind: string; jobId: string; attempt: number }> }>(w.client, BATCH);
  await stream.until(() => stream.events.length > 0, 10_000);
  expect(stream.events[0].assignmentBatch.map((a) => a.jobId).sort()).toEqual(jobs.map((j) => j.id).sort());
  expect(stream.events[0].assignmentBatch.every((a) => a.kind === 'ASSIGN' && a.attempt === 1)).toBe(true);

  const [j1, j2, j3, j4] = jobs;
  // One stale start (an attempt that was never leased) among good ones: refused alone.
  const started = ok(await w.request<{ startJobs: Report[] }>(START_JOBS, { a: [...jobs.map((j) => ({ jobId: j.id, attempt: 1 })), { jobId: j1.id, attempt: 2 }] }));
  expect(started.startJobs.map((r) => [r.jobId, r.attempt, r.accepted, r.code])).toEqual([
    [j1.id, 1, true, null],
    [j2.id, 1, true, null],
    [j3.id, 1, true, null],
    [j4.id, 1, true, null],
    [j1.id, 2, false, 'CONFLICT'],
  ]);
  for (const j of jobs) w.running.set(`${j.id}:1`, { jobId: j.id, attempt: 1 });

  // Another worker cannot complete these: its whole batch is refused, item by item.
  const foreign = ok(await other.request<{ completeJobs: Report[] }>(COMPLETE_JOBS, { c: [{ jobId: j4.id, attempt: 1, result: { exitCode: 0 } }] }));
  expect(foreign.completeJobs).toEqual([{ jobId: j4.id, attempt: 1, accepted: false, code: 'CONFLICT', job: null }]);
  expect((await getJob(t, j4.id)).status).toBe('RUNNING');

  // A stale item (wrong attempt) between good ones; exit 3 fails its job, as completeJob would.
  const done = ok(
    await w.request<{ completeJobs: Report[] }>(COMPLETE_JOBS, {
      c: [
        { jobId: j1.id, attempt: 1, result: { exitCode: 0 } },
        { jobId: j2.id, attempt: 7, result: { exitCode: 0 } },
        { jobId: j3.id, attempt: 1, result: { exitCode: 3 } },
      ],
    }),
  );
  expect(done.completeJobs.map((r) => [r.jobId, r.accepted, r.code, r.job?.status ?? null])).toEqual([
    [j1.id, true, null, 'SUCCEEDED'],
    [j2.id, false, 'CONFLICT', null],
    [j3.id, true, null, 'FAILED'],
  ]);
  expect((await getJob(t, j1.id)).status).toBe('SUCCEEDED');
  expect((await getJob(t, j2.id)).status).toBe('RUNNING');
  expect((await getJob(t, j3.id)).exitCode).toBe(3);
  // Sent again (the answer was lost): already finished, so refused — nothing moves twice.
  const again = ok(await w.request<{ completeJobs: Report[] }>(COMPLETE_JOBS, { c: [{ jobId: j1.id, attempt: 1, result: { exitCode: 1 } }] }));
  expect(again.completeJobs[0]).toMatchObject({ accepted: false, code: 'CONFLICT' });
  expect((await getJob(t, j1.id)).status).toBe('SUCCEEDED');

  // The two freed slots are filled by the next two queued jobs, together again.
  const more = [await createJob(t, { command: 'true', requirements: ['batch-a'] }), await createJob(t, { command: 'true', requirements: ['batch-a'] })];
  await stream.until(() => stream.events.flatMap((e) => e.assignmentBatch).filter((a) => more.some((m) => m.id === a.jobId)).length === 2, 10_000);
  stream.unsubscribe();
});

it('a real agent with 8 slots runs 50 jobs: each SUCCEEDED exactly once', async () => {
  if (!agentCliBuilt()) throw new Error('build the worker first (npm run build -w worker)');
  const token = (await createWorkerToken(t, 'batch-agent', ['batch-agent'])).token;
  const watcher = wsClient(t.wsUrl, { authToken: t.adminToken });
  const updates = collect<{ jobUpdated: { id: string; status: string } }>(watcher, 'subscription { jobUpdated { id status } }');
  await new Promise((r) => setTimeout(r, 200));
  // Queued first, so the agent finds all its slots' worth waiting and takes them in batches.
  const ids: string[] = [];
  for (let i = 0; i < 50; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, (_, k) => createJob(t, { command: `echo job-${i + k}`, requirements: ['batch-agent'] })));
    ids.push(...batch.map((j) => j.id));
  }
  agents.push(startAgentProcess({ server: t.url, token, name: 'batch-agent', concurrency: 8, labels: ['batch-agent'] }));
  const idSet = new Set(ids);
  const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'];
  const ended = () => updates.events.filter((e) => idSet.has(e.jobUpdated.id) && TERMINAL.includes(e.jobUpdated.status));
  await updates.until(() => ended().length >= 50, 45_000);
  await new Promise((r) => setTimeout(r, 300)); // a second end would have arrived by now
  updates.unsubscribe();
  await watcher.dispose();

  const ends = new Map<string, string[]>();
  for (const e of ended()) ends.set(e.jobUpdated.id, [...(ends.get(e.jobUpdated.id) ?? []), e.jobUpdated.status]);
  expect([...ends.keys()].sort()).toEqual([...ids].sort());
  expect([...ends.values()].every((s) => s.length === 1 && s[0] === 'SUCCEEDED')).toBe(true);
  // Ran once each: attempt 1, and its output stored once.
  for (const id of ids.slice(0, 10)) {
    const r = ok(await gql<{ job: { attempt: number; logs: Array<{ stream: string; data: string }> } }>(t.url, 'query($id: ID!) { job(id: $id) { attempt logs { stream data } } }', { id }, { token: t.adminToken }));
    expect(r.job.attempt).toBe(1);
    expect(r.job.logs.filter((l) => l.stream === 'STDOUT').map((l) => l.data).join('')).toBe(`job-${ids.indexOf(id)}\n`);
  }
  await eventually(async () => {
    const r = ok(await gql<{ workers: Array<{ name: string; running: number }> }>(t.url, '{ workers { name running } }', undefined, { token: t.adminToken }));
    return r.workers.find((w) => w.name === 'batch-agent')?.running === 0 || undefined;
  }, 5000, 'the agent shown with nothing running');
});

it('a job that ended before its start was reported goes from ASSIGNED to its end with completeJobs alone, started ranForMs before it finished; a recorded start is kept', async () => {
  const w = await fakeWorker('fused-a', 2);
  const watcher = wsClient(t.wsUrl, { authToken: t.adminToken });
  const updates = collect<{ jobUpdated: { id: string; status: string } }>(watcher, 'subscription { jobUpdated { id status } }');
  await new Promise((r) => setTimeout(r, 200));
  const quick = await createJob(t, { command: 'true', requirements: ['fused-a'] });
  const slow = await createJob(t, { command: 'sleep 1', requirements: ['fused-a'] });
  const stream = collect<{ assignmentBatch: Array<{ jobId: string }> }>(w.client, BATCH);
  await stream.until(() => stream.events.flatMap((e) => e.assignmentBatch).length === 2, 10_000);
  ok(await w.request(START_JOBS, { a: [{ jobId: slow.id, attempt: 1 }] }));
  const times = `query($id: ID!) { job(id: $id) { status startedAt finishedAt } }`;
  const slowStart = ok(await gql<{ job: { startedAt: string } }>(t.url, times, { id: slow.id }, { token: t.adminToken })).job.startedAt;

  const done = ok(
    await w.request<{ completeJobs: Report[] }>(COMPLETE_JOBS, {
      c: [
        { jobId: quick.id, attempt: 1, result: { exitCode: 0, ranForMs: 1500 } },
        // A start was recorded for this one: ranForMs must not move it.
        { jobId: slow.id, attempt: 1, result: { exitCode: 0, ranForMs: 1500 } },
      ],
    }),
  );
  expect(done.completeJobs.map((r) => [r.accepted, r.job?.status])).toEqual([
    [true, 'SUCCEEDED'],
    [true, 'SUCCEEDED'],
  ]);
  const q = ok(await gql<{ job: { status: string; startedAt: string; finishedAt: string } }>(t.url, times, { id: quick.id }, { token: t.adminToken })).job;
  expect(Date.parse(q.finishedAt) - Date.parse(q.startedAt)).toBe(1500);
  const s = ok(await gql<{ job: { startedAt: string } }>(t.url, times, { id: slow.id }, { token: t.adminToken })).job;
  expect(s.startedAt).toBe(slowStart);

  await updates.until(() => updates.events.filter((e) => e.jobUpdated.status === 'SUCCEEDED').length >= 2, 5_000);
  const seen = (id: string): string[] => updates.events.filter((e) => e.jobUpdated.id === id).map((e) => e.jobUpdated.status);
  expect(seen(quick.id)).toEqual(['QUEUED', 'ASSIGNED', 'SUCCEEDED']);
  expect(seen(slow.id)).toEqual(['QUEUED', 'ASSIGNED', 'RUNNING', 'SUCCEEDED']);
  stream.unsubscribe();
  updates.unsubscribe();
  await watcher.dispose();
});
