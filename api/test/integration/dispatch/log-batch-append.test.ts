/**
 * appendLogsBatch: several attempts' chunks in one call, each fenced, stored, counted and
 * acknowledged as its own appendLogs would be, and refused alone.
 */
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { collect, ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { cancelOpenJobs, createJob, getJob, jobLogs, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

jest.setTimeout(30_000);

const APPEND_BATCH =
  'mutation($b: [AttemptLogsInput!]!) { appendLogsBatch(batches: $b) { jobId attempt accepted ackedSeq truncated code } }';
const LOGS_SUB = 'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { attempt seq data } } }';
type Report = { jobId: string; attempt: number; accepted: boolean; ackedSeq: number | null; truncated: boolean | null; code: string | null };
type LogEvent = { jobLogs: { chunks: Array<{ attempt: number; seq: number; data: string }> } };

let t: DispatchApi;
let w: FakeWorker;
const clients: Array<{ dispose(): unknown }> = [];

beforeAll(async () => {
  t = await startDispatchApi();
  w = new FakeWorker(t.wsUrl, (await createWorkerToken(t, 'batcher')).token);
  await w.register({ name: 'batcher', capacity: 8 });
  w.autoHeartbeat(250);
  w.subscribe();
});
afterEach(async () => {
  await cancelOpenJobs(t);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await w?.close();
  await t?.close();
});

async function runningJob(): Promise<string> {
  const job = await createJob(t, { command: 'out' });
  await w.waitFor((e) => e.some((x) => x.jobId === job.id && x.kind === 'ASSIGN'));
  ok(await w.start(job.id, 1));
  return job.id;
}

const batch = (jobId: string, attempt: number, chunks: Array<{ seq: number; data: string }>) => ({ jobId, attempt, chunks: chunks.map((c) => ({ stream: 'STDOUT', ...c })) });
const send = async (batches: unknown[]) => ok(await w.request<{ appendLogsBatch: Report[] }>(APPEND_BATCH, { b: batches })).appendLogsBatch;

it('stores each attempt’s chunks and answers each alone; a lost lease or a bad seq refuses only its own batch', async () => {
  const [a, b] = [await runningJob(), await runningJob()];
  const subscriber = wsClient(t.wsUrl, { authToken: t.adminToken });
  clients.push(subscriber);
  const live = collect<LogEvent>(subscriber, LOGS_SUB, { id: b });
  await new Promise((r) => setTimeout(r, 300));

  const reports = await send([
    batch(a, 1, [{ seq: 1, data: 'a1\n' }, { seq: 2, data: 'a2\n' }]),
    batch(a, 2, [{ seq: 1, data: 'not my attempt\n' }]),
    batch(b, 1, [{ seq: 1, data: 'b1\n' }]),
    batch(b, 1, [{ seq: 0, data: 'bad seq\n' }]),
    batch('000000000000000000000000', 1, [{ seq: 1, data: 'no such job\n' }]),
  ]);
  expect(reports.map((r) => [r.jobId, r.attempt, r.accepted, r.ackedSeq, r.code])).toEqual([
    [a, 1, true, 2, null],
    [a, 2, false, null, 'CONFLICT'],
    [b, 1, true, 1, null],
    [b, 1, false, null, 'BAD_USER_INPUT'],
    ['000000000000000000000000', 1, false, null, 'CONFLICT'],
  ]);
  expect((await jobLogs(t, a)).map((c) => c.data)).toEqual(['a1\n', 'a2\n']);
  expect((await jobLogs(t, b)).map((c) => c.data)).toEqual(['b1\n']);
  expect((await getJob(t, a)).logBytes).toBe(6);
  await live.until(() => live.events.length > 0);
  expect(live.events.flatMap((e) => e.jobLogs.chunks).map((c) => c.data)).toEqual(['b1\n']);
});

it('stores a resend once and counts it once, and acknowledges two batches of one attempt in the same call', async () => {
  const a = await runningJob();
  expect((await send([batch(a, 1, [{ seq: 1, data: 'one\n' }])]))[0].ackedSeq).toBe(1);
  const reports = await send([
    batch(a, 1, [{ seq: 1, data: 'one\n' }, { seq: 2, data: 'two\n' }]),
    batch(a, 1, [{ seq: 3, data: 'three\n' }]),
  ]);
  expect(reports.map((r) => r.accepted)).toEqual([true, true]);
  expect(Math.max(...reports.map((r) => r.ackedSeq ?? 0))).toBe(3);
  expect((await jobLogs(t, a)).map((c) => [c.seq, c.data])).toEqual([
    [1, 'one\n'],
    [2, 'two\n'],
    [3, 'three\n'],
  ]);
  expect((await getJob(t, a)).logBytes).toBe('one\ntwo\nthree\n'.length);
});
