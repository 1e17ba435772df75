/**
 * appendLogsBatch: several attempts' chunks in one call, each fenced, stored, counted and
 * acknowledged as its own appendLogs would be, and refused alone.
 */
import { collect, ok } from '@cmd-executor/test-support/graphql-client';
import { getJob, jobLogs } from './support/dispatch-harness';
import { useOneWorkerApi } from './support/one-worker-api';

jest.setTimeout(30_000);

const APPEND_BATCH =
  'mutation($b: [AttemptLogsInput!]!) { appendLogsBatch(batches: $b) { jobId attempt accepted ackedSeq truncated code } }';
const LOGS_SUB = 'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { attempt seq data } } }';
type Report = { jobId: string; attempt: number; accepted: boolean; ackedSeq: number | null; truncated: boolean | null; code: string | null };
type LogEvent = { jobLogs: { chunks: Array<{ attempt: number; seq: number; data: string }> } };

const one = useOneWorkerApi('batcher', { capacity: 8 });
const { runningJob, subscriber } = one;

const batch = (jobId: string, attempt: number, chunks: Array<{ seq: number; data: string }>) => ({ jobId, attempt, chunks: chunks.map((c) => ({ stream: 'STDOUT', ...c })) });
const send = async (batches: unknown[]) => ok(await one.worker.request<{ appendLogsBatch: Report[] }>(APPEND_BATCH, { b: batches })).appendLogsBatch;

it('stores each attempt’s chunks and answers each alone; a lost lease or a bad seq refuses only its own batch', async () => {
  const [a, b] = [await runningJob(), await runningJob()];
  const live = collect<LogEvent>(subscriber(), LOGS_SUB, { id: b });
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
  expect((await jobLogs(one.api, a)).map((c) => c.data)).toEqual(['a1\n', 'a2\n']);
  expect((await jobLogs(one.api, b)).map((c) => c.data)).toEqual(['b1\n']);
  expect((await getJob(one.api, a)).logBytes).toBe(6);
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
  expect((await jobLogs(one.api, a)).map((c) => [c.seq, c.data])).toEqual([
    [1, 'one\n'],
    [2, 'two\n'],
    [3, 'three\n'],
  ]);
  expect((await getJob(one.api, a)).logBytes).toBe('one\ntwo\nthree\n'.length);
});
