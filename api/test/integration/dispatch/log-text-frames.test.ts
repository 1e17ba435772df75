/**
 * Log text through graphql-ws both ways, at the sizes where the socket layer takes its fast
 * paths (transport/ws/text-frames.ts): a worker's large appendLogs message, pure ASCII or not,
 * reaches the store and a live subscriber exactly as sent, and a large event reaches the
 * subscriber as a text frame whatever its characters.
 */
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { collect, ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { cancelOpenJobs, createJob, jobLogs, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

jest.setTimeout(30_000);

const LOGS_SUB = 'subscription($id: ID!) { jobLogs(jobId: $id) { jobId chunks { attempt seq stream data } } }';
type LogEvent = { jobLogs: { jobId: string; chunks: Array<{ attempt: number; seq: number; stream: string; data: string }> } };

let t: DispatchApi;
let w: FakeWorker;
const clients: Array<{ dispose(): unknown }> = [];

beforeAll(async () => {
  t = await startDispatchApi();
  w = new FakeWorker(t.wsUrl, (await createWorkerToken(t, 'texter')).token);
  await w.register({ name: 'texter', capacity: 4 });
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

/** ~`size` characters of `line` repeated, numbered so that a chunk out of place shows */
const text = (line: string, size: number, tag: number) => Array.from({ length: Math.ceil(size / line.length) }, (_, i) => `${tag}.${i} ${line}`).join('');

it.each([
  ['pure ASCII, control characters and JSON escapes included', 'plain "quoted" \\ back\tslash \u0001\u001f line\n'],
  ['multi-byte characters', 'héllo wörld ✓ 日本語のログ emoji 😀 \u0001\n'],
])('a large batch of %s reaches a live subscriber and the store exactly as sent', async (_name, line) => {
  const job = await createJob(t, { command: 'out' });
  await w.waitFor((e) => e.some((x) => x.jobId === job.id && x.kind === 'ASSIGN'));
  ok(await w.start(job.id, 1));
  const c = wsClient(t.wsUrl, { authToken: t.adminToken });
  clients.push(c);
  const live = collect<LogEvent>(c, LOGS_SUB, { id: job.id });
  // Live before the first chunk: the subscriber's first event is the batch itself.
  await new Promise((r) => setTimeout(r, 300));
  const chunks = [1, 2, 3].map((seq) => ({ seq, data: text(line, 64 * 1024, seq) }));
  ok(await w.append(job.id, 1, chunks));
  await live.until(() => live.events.flatMap((e) => e.jobLogs.chunks).length >= chunks.length);

  expect(live.errors).toEqual([]);
  // Compared as "which chunks differ": a diff of 200 KB of text would bury the answer.
  const differing = (got: Array<{ data: string }>) => chunks.filter((x, i) => got[i]?.data !== x.data).map((x) => x.seq);
  const got = live.events.flatMap((e) => e.jobLogs.chunks);
  expect(got.map((x) => x.seq)).toEqual([1, 2, 3]);
  expect(differing(got)).toEqual([]);
  expect(differing(await jobLogs(t, job.id))).toEqual([]);
  ok(await w.complete(job.id, 1, { exitCode: 0 }));
  await live.until(() => live.done);
});
