import { MongoClient, ObjectId } from 'mongodb';
import pino from 'pino';
import { JobLogService, type LogBatchView, type LogChunkView } from '../../../src/services/job-log.service';
import { createUser } from '@cmd-executor/test-support/accounts';
import { collect, ok } from '@cmd-executor/test-support/graphql-client';
import { createJob, getJob, jobLogs } from './support/dispatch-harness';
import { useOneWorkerApi } from './support/one-worker-api';

jest.setTimeout(30_000);

const CAP = 4096;
const LOGS_SUB = 'subscription($id: ID!, $after: Int) { jobLogs(jobId: $id, afterSeq: $after) { chunks { attempt seq stream data } } }';
type LogEvent = { jobLogs: { chunks: Array<{ attempt: number; seq: number; stream: string; data: string }> } };
/** every chunk the subscriber received, events flattened in arrival order */
const chunksOf = (events: LogEvent[]) => events.flatMap((e) => e.jobLogs.chunks);

const one = useOneWorkerApi('logger', { capacity: 8, env: { LOG_MAX_BYTES: String(CAP) } });
const { runningJob, subscriber } = one;

describe('appendLogs', () => {
  it('stores a resent chunk once and acknowledges up to the first gap', async () => {
    const id = await runningJob();
    expect(ok(await one.worker.append(id, 1, [{ seq: 1, data: 'one\n' }, { seq: 2, data: 'two\n' }])).appendLogs).toEqual({ ackedSeq: 2, truncated: false });
    // a resend of 2 with 4 (3 is still in flight): nothing past the gap is acknowledged
    expect(ok(await one.worker.append(id, 1, [{ seq: 2, data: 'two\n' }, { seq: 4, data: 'four\n' }])).appendLogs.ackedSeq).toBe(2);
    expect(ok(await one.worker.append(id, 1, [{ seq: 3, stream: 'STDERR', data: 'three\n' }])).appendLogs.ackedSeq).toBe(4);
    expect(ok(await one.worker.append(id, 1, [{ seq: 1, data: 'one\n' }])).appendLogs.ackedSeq).toBe(4);
    const lines = await jobLogs(one.api, id);
    expect(lines.map((l) => [l.seq, l.stream, l.data])).toEqual([
      [1, 'STDOUT', 'one\n'],
      [2, 'STDOUT', 'two\n'],
      [3, 'STDERR', 'three\n'],
      [4, 'STDOUT', 'four\n'],
    ]);
    expect((await getJob(one.api, id)).logBytes).toBe('one\ntwo\nthree\nfour\n'.length);
    ok(await one.worker.complete(id, 1, { exitCode: 0 }));
  });

  it('acknowledges a batch that overtook an earlier one once the gap is stored, and counts each byte once', async () => {
    const id = await runningJob();
    const c = (seq: number) => ({ seq, data: `chunk ${seq}\n` });
    // the second batch lands first (the first is still in flight): nothing past the gap is acknowledged
    expect(ok(await one.worker.append(id, 1, [c(3), c(4)])).appendLogs.ackedSeq).toBe(0);
    expect(ok(await one.worker.append(id, 1, [c(1), c(2)])).appendLogs.ackedSeq).toBe(4);
    // a worker that saw ackedSeq 0 resends all of it with the next chunk: stored and counted once
    expect(ok(await one.worker.append(id, 1, [1, 2, 3, 4, 5].map(c))).appendLogs.ackedSeq).toBe(5);
    // batches racing each other, as an agent with several calls out sends them
    const racing = await Promise.all([[6, 7], [8, 9], [10, 11], [12]].map((seqs) => one.worker.append(id, 1, seqs.map(c))));
    expect(Math.max(...racing.map((r) => ok(r).appendLogs.ackedSeq))).toBe(12);
    const lines = await jobLogs(one.api, id);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(lines.map((l) => l.data).join('')).toBe(Array.from({ length: 12 }, (_, i) => c(i + 1).data).join(''));
    expect((await getJob(one.api, id)).logBytes).toBe(Buffer.byteLength(lines.map((l) => l.data).join('')));
    ok(await one.worker.complete(id, 1, { exitCode: 0 }));
  });

  it('gives back exactly the text it was sent, multi-byte characters included, in Job.logs and the replay', async () => {
    const id = await runningJob();
    const text = ['héllo wörld ✓\n', '日本語のログ\n', 'emoji 😀 and a tab\tand \u0001 control\n'];
    ok(await one.worker.append(id, 1, text.map((data, i) => ({ seq: i + 1, data }))));
    expect((await jobLogs(one.api, id)).map((l) => l.data)).toEqual(text);
    expect((await getJob(one.api, id)).logBytes).toBe(Buffer.byteLength(text.join('')));
    ok(await one.worker.complete(id, 1, { exitCode: 0 }));
    const sub = collect<LogEvent>(subscriber(), LOGS_SUB, { id });
    await sub.until(() => sub.done);
    expect(chunksOf(sub.events).map((c) => c.data)).toEqual(text);
  });

  it('reads rows stored as text before, and looks in the store when a chunk turns out to be there already', async () => {
    const id = await runningJob();
    // a row in the older format (data as a BSON string), written where this replica did not see it
    const client = await MongoClient.connect(one.api.mongoUri);
    try {
      await client
        .db()
        .collection('jobLogs')
        .insertOne({ jobId: new ObjectId(id), attempt: 1, seq: 1, stream: 'STDOUT', data: 'older row\n', at: new Date() });
    } finally {
      await client.close();
    }
    // seq 1 is a duplicate here: the acknowledgement comes from the store, and covers it
    expect(ok(await one.worker.append(id, 1, [{ seq: 1, data: 'older row\n' }, { seq: 2, data: 'newer row\n' }])).appendLogs.ackedSeq).toBe(2);
    expect((await jobLogs(one.api, id)).map((l) => l.data)).toEqual(['older row\n', 'newer row\n']);
    ok(await one.worker.complete(id, 1, { exitCode: 0 }));
    const sub = collect<LogEvent>(subscriber(), LOGS_SUB, { id });
    await sub.until(() => sub.done);
    expect(chunksOf(sub.events).map((c) => c.data)).toEqual(['older row\n', 'newer row\n']);
  });

  it('refuses bad seqs, and takes the agent’s own SYSTEM notes in the same seq space', async () => {
    const id = await runningJob();
    expect((await one.worker.append(id, 1, [{ seq: 0, data: 'x' }])).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await jobLogs(one.api, id)).toEqual([]);
    expect(ok(await one.worker.append(id, 1, [{ seq: 1, stream: 'SYSTEM', data: 'cancel requested\n' }])).appendLogs.ackedSeq).toBe(1);
    expect((await jobLogs(one.api, id)).map((l) => [l.seq, l.stream])).toEqual([[1, 'SYSTEM']]);
  });

  it('past the cap drops output, sets logTruncated, says so in exactly one SYSTEM line, and the job runs on', async () => {
    const id = await runningJob();
    const line = 'x'.repeat(999) + '\n'; // 1000 bytes
    let seq = 0;
    const results = [];
    for (let batch = 0; batch < 4; batch += 1) {
      const chunks = [1, 2].map(() => ({ seq: ++seq, data: line }));
      results.push(ok(await one.worker.append(id, 1, chunks)).appendLogs);
    }
    // dropped chunks are acknowledged too, or the worker would hold them forever
    expect(results.map((r) => r.ackedSeq)).toEqual([2, 4, 6, 8]);
    expect(results.map((r) => r.truncated)).toEqual([false, false, true, true]);
    const lines = await jobLogs(one.api, id);
    const system = lines.filter((l) => l.stream === 'SYSTEM');
    expect(system).toHaveLength(1);
    expect(system[0].seq).toBe(5); // the chunk holding byte offset 4096
    expect(system[0].data).toMatch(/truncated/);
    expect(lines.filter((l) => l.stream === 'STDOUT').map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    // past the cap, out-of-order batches are acknowledged whole: a dropped chunk never fills a gap
    expect(ok(await one.worker.append(id, 1, [{ seq: 11, data: line }, { seq: 12, data: line }])).appendLogs.ackedSeq).toBe(12);
    expect(ok(await one.worker.append(id, 1, [{ seq: 9, data: line }, { seq: 10, data: line }])).appendLogs.ackedSeq).toBe(12);
    expect((await jobLogs(one.api, id)).length).toBe(lines.length);
    const job = await getJob(one.api, id);
    expect(job).toMatchObject({ logTruncated: true, status: 'RUNNING' });
    expect(ok(await one.worker.complete(id, 1, { exitCode: 0 })).completeJob.status).toBe('SUCCEEDED');
  });
});

describe('jobLogs subscription', () => {
  it('replays then goes live with no gap and no duplicate while chunks are appended concurrently', async () => {
    const id = await runningJob();
    const total = 300;
    let next = 0;
    // the worker keeps two appendLogs in flight, 5 chunks each
    const producer = (async () => {
      const inflight: Array<Promise<unknown>> = [];
      while (next < total) {
        const chunks = Array.from({ length: 5 }, () => ({ seq: ++next, data: `line ${next}\n` }));
        inflight.push(one.worker.append(id, 1, chunks).then(ok));
        if (inflight.length >= 2) await inflight.shift();
      }
      await Promise.all(inflight);
    })();
    // subscribers join while output is flowing: from the start, and from a later seq
    await new Promise((r) => setTimeout(r, 30));
    const fromStart = collect<LogEvent>(subscriber(), LOGS_SUB, { id });
    await new Promise((r) => setTimeout(r, 30));
    const fromMiddle = collect<LogEvent>(subscriber(), LOGS_SUB, { id, after: 100 });
    await producer;
    ok(await one.worker.complete(id, 1, { exitCode: 0 }));
    await fromStart.until(() => fromStart.done, 10_000);
    await fromMiddle.until(() => fromMiddle.done, 10_000);
    expect(fromStart.errors).toEqual([]);
    expect(chunksOf(fromStart.events).map((c) => c.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(chunksOf(fromStart.events).every((c) => c.data === `line ${c.seq}\n`)).toBe(true);
    expect(chunksOf(fromMiddle.events).map((c) => c.seq)).toEqual(Array.from({ length: total - 100 }, (_, i) => i + 101));
  });

  it('a subscriber that falls behind by more than its live buffer reads the rest from the store: no gap, no duplicate', async () => {
    const id = await runningJob();
    // A stream with a tiny live buffer, on this API's channel, read only once the job is done.
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const logs = new JobLogService({ pubsub: one.api.container.pubsub, logger, logMaxBytes: CAP, liveBufferBytes: 64, subscriberQueueUnits: 64 });
    const stream = logs.stream(id, 1, 0);
    const first = await (async () => {
      ok(await one.worker.append(id, 1, [{ seq: 1, data: '1\n' }]));
      return stream.next(); // live from here on
    })();
    const total = 600; // more than the stream hands its consumer before it waits
    for (let seq = 2; seq <= total; seq += 10) {
      ok(await one.worker.append(id, 1, Array.from({ length: Math.min(10, total - seq + 1) }, (_, i) => ({ seq: seq + i, data: `${seq + i}\n` }))));
    }
    ok(await one.worker.complete(id, 1, { exitCode: 0 }));
    const got: LogChunkView[] = [...(first.value as LogBatchView).chunks];
    for await (const batch of stream) got.push(...batch.chunks);
    expect(got.map((c) => c.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(got.every((c) => c.data === `${c.seq}\n`)).toBe(true);
    expect(lines.some((l) => l.includes('fell behind its live buffer'))).toBe(true);
  });

  it('replays a finished job and completes', async () => {
    const id = await runningJob();
    ok(await one.worker.append(id, 1, [{ seq: 1, data: 'a\n' }, { seq: 2, data: 'b\n' }]));
    ok(await one.worker.complete(id, 1, { exitCode: 0 }));
    const sub = collect<LogEvent>(subscriber(), LOGS_SUB, { id });
    await sub.until(() => sub.done);
    expect(chunksOf(sub.events).map((c) => c.data)).toEqual(['a\n', 'b\n']);
  });

  it('is only for the owner or an admin', async () => {
    const ownerToken = (await createUser(one.api, 'log-owner')).token;
    const strangerToken = (await createUser(one.api, 'log-stranger')).token;
    const job = await createJob(one.api, { command: 'mine' }, ownerToken);
    const stranger = collect<LogEvent>(subscriber(strangerToken), LOGS_SUB, { id: job.id });
    await stranger.until(() => stranger.done);
    expect(stranger.events).toEqual([]);
    expect(JSON.stringify(stranger.errors)).toContain('NOT_FOUND');
    const owner = collect<LogEvent>(subscriber(ownerToken), LOGS_SUB, { id: job.id });
    await one.worker.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await one.worker.start(job.id, 1));
    ok(await one.worker.append(job.id, 1, [{ seq: 1, data: 'hello\n' }]));
    await owner.until(() => owner.events.length === 1);
    expect(owner.events[0].jobLogs.chunks).toEqual([expect.objectContaining({ seq: 1, data: 'hello\n' })]);
    ok(await one.worker.complete(job.id, 1, { exitCode: 0 }));
    await owner.until(() => owner.done);
  });
});
