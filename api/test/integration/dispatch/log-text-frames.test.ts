/**
 * Log text through graphql-ws both ways, at the sizes where the socket layer takes its fast
 * paths (transport/ws/text-frames.ts): a worker's large appendLogs message, pure ASCII or not,
 * reaches the store and a live subscriber exactly as sent, and a large event reaches the
 * subscriber as a text frame whatever its characters.
 */
import { collect, ok } from '@cmd-executor/test-support/graphql-client';
import { jobLogs } from './support/dispatch-harness';
import { useOneWorkerApi } from './support/one-worker-api';

jest.setTimeout(30_000);

const LOGS_SUB = 'subscription($id: ID!) { jobLogs(jobId: $id) { jobId chunks { attempt seq stream data } } }';
type LogEvent = { jobLogs: { jobId: string; chunks: Array<{ attempt: number; seq: number; stream: string; data: string }> } };

const one = useOneWorkerApi('texter', { capacity: 4 });

/** ~`size` characters of `line` repeated, numbered so that a chunk out of place shows */
const text = (line: string, size: number, tag: number) => Array.from({ length: Math.ceil(size / line.length) }, (_, i) => `${tag}.${i} ${line}`).join('');

it.each([
  ['pure ASCII, control characters and JSON escapes included', 'plain "quoted" \\ back\tslash \u0001\u001f line\n'],
  ['multi-byte characters', 'héllo wörld ✓ 日本語のログ emoji 😀 \u0001\n'],
])('a large batch of %s reaches a live subscriber and the store exactly as sent', async (_name, line) => {
  const jobId = await one.runningJob();
  const live = collect<LogEvent>(one.subscriber(), LOGS_SUB, { id: jobId });
  // Live before the first chunk: the subscriber's first event is the batch itself.
  await new Promise((r) => setTimeout(r, 300));
  const chunks = [1, 2, 3].map((seq) => ({ seq, data: text(line, 64 * 1024, seq) }));
  ok(await one.worker.append(jobId, 1, chunks));
  await live.until(() => live.events.flatMap((e) => e.jobLogs.chunks).length >= chunks.length);

  expect(live.errors).toEqual([]);
  // Compared as "which chunks differ": a diff of 200 KB of text would bury the answer.
  const differing = (got: Array<{ data: string }>) => chunks.filter((x, i) => got[i]?.data !== x.data).map((x) => x.seq);
  const got = live.events.flatMap((e) => e.jobLogs.chunks);
  expect(got.map((x) => x.seq)).toEqual([1, 2, 3]);
  expect(differing(got)).toEqual([]);
  expect(differing(await jobLogs(one.api, jobId))).toEqual([]);
  ok(await one.worker.complete(jobId, 1, { exitCode: 0 }));
  await live.until(() => live.done);
});
