/**
 * A Redis outage in the middle of a run, on a Redis of our own (the shared one is never touched):
 * requests answer within about a second, createJob succeeds and the job runs, and every open
 * jobLogs / jobUpdated subscription gets each chunk exactly once and the final state — also one
 * opened while Redis was down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { startAgent, type Agent } from '../../../../worker/src/agent/agent';
import { collect, gql, wsClient } from '@cmd-executor/test-support/graphql-client';
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { eventually } from '@cmd-executor/test-support/eventually';
import { OwnRedisServer } from '@cmd-executor/test-support/redis-server';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

jest.setTimeout(90_000);

/** At ~50 ms a line, 15 s and more: the outage, and a few seconds of live output after Redis is back. */
const LINES = 300;
const OUTAGE_MS = 10_000;
/** One request during the outage may take this long (Redis commands give up after ~1 s). */
const MAX_OUTAGE_REQUEST_MS = 1500;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await fn();
  return { ms: Date.now() - started, value };
}

type LogEvent = { jobLogs: { chunks: Array<{ seq: number; data: string }> } };
type JobEvent = { jobUpdated: { status: string } };

describe('a Redis outage mid-run', () => {
  let redis: OwnRedisServer | undefined;
  let t: TestApi | undefined;
  let agent: Agent | undefined;
  let workDir: string;
  const clients: Client[] = [];
  const logs: Array<Record<string, unknown>> = [];

  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await agent?.stop().catch(() => undefined);
    await t?.close().catch(() => undefined);
    await redis?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('answers fast, loses no job, and catches every subscriber up', async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'redis-outage-worker-'));
    redis = await OwnRedisServer.start();
    t = await startTestApi({ env: { REDIS_URL: redis.url }, logs });
    const api = t;
    const origin = api.url.replace(/\/graphql$/, '');
    const { token } = await createWorkerToken(api, 'outage-worker', ['linux']);
    agent = await startAgent({ server: origin, token, name: 'outage-worker', labels: ['linux'], concurrency: 2, workDir, killGraceSeconds: 1, shutdownTimeoutSeconds: 5 });

    const as = { token: api.adminToken };
    const createJob = (command: string, idempotencyKey?: string) =>
      gql<{ createJob: { id: string } }>(api.url, 'mutation ($c: String!, $k: String) { createJob(input: { command: $c, idempotencyKey: $k }) { id } }', { c: command, k: idempotencyKey }, as);
    const statusOf = async (id: string) => (await gql<{ job: { status: string } }>(api.url, 'query ($id: ID!) { job(id: $id) { status } }', { id }, as)).data?.job.status;
    const subscribe = () => {
      const c = wsClient(api.wsUrl, { authToken: api.adminToken });
      clients.push(c);
      return c;
    };
    const logsQuery = 'subscription ($id: ID!) { jobLogs(jobId: $id) { chunks { seq data } } }';
    const stateQuery = 'subscription ($id: ID!) { jobUpdated(id: $id) { status } }';

    // A job that writes a numbered line every ~50 ms, for longer than the outage lasts.
    const long = (await createJob(`i=1; while [ $i -le ${LINES} ]; do echo "line-$i"; i=$((i+1)); sleep 0.05; done`)).data!.createJob.id;
    await eventually(async () => ((await statusOf(long)) === 'RUNNING' ? true : undefined), 20_000, 'the job to run');
    const before = collect<LogEvent>(subscribe(), logsQuery, { id: long });
    const states = collect<JobEvent>(subscribe(), stateQuery, { id: long });
    await before.until(() => before.events.flatMap((e) => e.jobLogs.chunks).length >= 20, 20_000);

    await redis.kill();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 300));

    // During the outage: reads, a create, its idempotent retry, and a subscription opened now.
    const me = await timed(() => gql(api.url, '{ me { username } }', {}, as));
    const list = await timed(() => gql(api.url, '{ jobs(first: 5) { edges { node { id status } } } }', {}, as));
    const created = await timed(() => createJob('echo made-during-outage', 'outage-key-1'));
    const retried = await timed(() => createJob('echo made-during-outage', 'outage-key-1'));
    const during = collect<LogEvent>(subscribe(), logsQuery, { id: long });
    const latencies = { me: me.ms, jobs: list.ms, createJob: created.ms, retry: retried.ms };
    expect(me.value.errors).toBeUndefined();
    expect(list.value.errors).toBeUndefined();
    expect(created.value.errors).toBeUndefined();
    expect(retried.value.data?.createJob.id).toBe(created.value.data?.createJob.id);
    expect(Object.entries(latencies).filter(([, ms]) => ms >= MAX_OUTAGE_REQUEST_MS)).toEqual([]);
    if (process.env.REDIS_OUTAGE_REPORT) process.stderr.write(`outage latencies (ms): ${JSON.stringify(latencies)}\n`);
    const madeDuring = created.value.data!.createJob.id;

    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
    await redis.start();

    // Everything arrives once, in order, and the streams end with the job.
    // (the agent groups lines into chunks: the text and the chunk numbers are what must match)
    const expected = Array.from({ length: LINES }, (_, i) => `line-${i + 1}\n`).join('');
    for (const sub of [before, during]) {
      await sub.until(() => sub.done, 60_000);
      expect(sub.errors).toEqual([]);
      const chunks = sub.events.flatMap((e) => e.jobLogs.chunks);
      expect(chunks.map((c) => c.data).join('')).toBe(expected);
      expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1));
    }
    await states.until(() => states.events.at(-1)?.jobUpdated.status === 'SUCCEEDED', 20_000);
    expect(states.events.filter((e) => e.jobUpdated.status === 'SUCCEEDED')).toHaveLength(1);
    expect(await statusOf(long)).toBe('SUCCEEDED');
    expect(await eventually(async () => ((await statusOf(madeDuring)) === 'SUCCEEDED' ? true : undefined), 30_000, 'the job made during the outage to run')).toBe(true);

    // The operator can tell: one line when Redis went away, one when it came back.
    const messages = logs.map((l) => l.msg);
    expect(messages.filter((m) => m === 'redis connection lost; requests go on without it, live events resume from the store when it returns')).toHaveLength(1);
    expect(messages.filter((m) => m === 'redis connection restored')).toHaveLength(1);
  });
});

describe('RATE_LIMIT_FAIL_OPEN=false while Redis is down', () => {
  let redis: OwnRedisServer | undefined;
  let t: TestApi | undefined;
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await redis?.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE at once, and serves again when Redis is back', async () => {
    redis = await OwnRedisServer.start();
    t = await startTestApi({ env: { REDIS_URL: redis.url, RATE_LIMIT_FAIL_OPEN: 'false' } });
    const api = t;
    const me = () => gql(api.url, '{ me { username } }', {}, { token: api.adminToken });
    expect((await me()).status).toBe(200);

    await redis.kill();
    await new Promise((r) => setTimeout(r, 300));
    const refused = await timed(me);
    expect(refused.value.status).toBe(503);
    expect(refused.value.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.ms).toBeLessThan(MAX_OUTAGE_REQUEST_MS);

    await redis.start();
    await eventually(async () => ((await me()).status === 200 ? true : undefined), 15_000, 'requests to be served again');
  });
});
