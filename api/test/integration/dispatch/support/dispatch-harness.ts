import { randomBytes } from 'node:crypto';
import type { LeaseSettings } from '../../../../src/domain/lease';
import { errorCode, gql } from '../../../support/graphql-client';
import { login, startTestApi, type TestApi } from '../../../support/start-test-api';
import { FakeWorker } from './fake-worker';

/** Short leases so lease expiry, retries and sweeps happen within a test's time. */
export const FAST_LEASE: Partial<LeaseSettings> = {
  leaseMs: 1200,
  heartbeatMs: 300,
  sweepIntervalMs: 100,
  retryBackoffBaseMs: 100,
  retryBackoffMaxMs: 400,
  timeoutGraceMs: 300,
};

export type DispatchApi = TestApi;

export interface StartDispatchApiOptions {
  /** Share the store with another replica; otherwise a fresh embedded server. */
  mongoUri?: string;
  /** Share Redis keys and channels with another replica; otherwise unique (and deleted on close). */
  redisPrefix?: string;
  lease?: Partial<LeaseSettings>;
  logGapWaitMs?: number;
  env?: Record<string, string>;
}

/**
 * A real API (HTTP + graphql-ws on an ephemeral port) whose container has short lease timings:
 * embedded MongoDB-wire server, real Redis under a unique prefix, no rate limit in the way.
 */
export function startDispatchApi(opts: StartDispatchApiOptions = {}): Promise<DispatchApi> {
  return startTestApi({
    mongoUri: opts.mongoUri,
    redisPrefix: opts.redisPrefix,
    env: { SHUTDOWN_TIMEOUT_MS: '1000', WORKER_RATE_LIMIT_MAX: '1000000', RATE_LIMIT_MAX: '1000000', ...opts.env },
    containerDeps: { lease: { ...FAST_LEASE, ...opts.lease }, logGapWaitMs: opts.logGapWaitMs },
  });
}

/** Fails the test with the GraphQL errors when there are any. */
export function ok<T>(r: { data?: T | null; errors?: unknown }): T {
  if (r.errors || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}

export async function mintWorkerToken(t: { url: string; adminToken: string }, name: string, labels: string[] = []): Promise<string> {
  const r = await gql<{ createWorkerToken: { token: string } }>(
    t.url,
    'mutation($n: String!, $l: [String!]) { createWorkerToken(name: $n, labels: $l) { token } }',
    { n: name, l: labels },
    { token: t.adminToken },
  );
  return ok(r).createWorkerToken.token;
}

export interface JobInput {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string; secret?: boolean }>;
  requirements?: string[];
  priority?: number;
  timeoutSeconds?: number;
  maxAttempts?: number;
  sandbox?: string;
}

export const JOB_FIELDS = 'id status attempt maxAttempts exitCode signal error priority logBytes logTruncated notBefore cancelRequestedAt worker { id name }';

export interface JobView {
  id: string;
  status: string;
  attempt: number;
  maxAttempts: number;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  priority: number;
  logBytes: number;
  logTruncated: boolean;
  notBefore: string | null;
  cancelRequestedAt: string | null;
  worker: { id: string; name: string } | null;
}

export async function createJob(t: { url: string; adminToken: string }, input: JobInput, token = t.adminToken): Promise<JobView> {
  const r = await gql<{ createJob: JobView }>(t.url, `mutation($i: CreateJobInput!) { createJob(input: $i) { ${JOB_FIELDS} } }`, { i: input }, { token });
  return ok(r).createJob;
}

export async function getJob(t: { url: string; adminToken: string }, id: string): Promise<JobView> {
  const r = await gql<{ job: JobView }>(t.url, `query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id }, { token: t.adminToken });
  return ok(r).job;
}

export interface LogLine {
  attempt: number;
  seq: number;
  stream: string;
  data: string;
}

export async function jobLogs(t: { url: string; adminToken: string }, id: string, attempt?: number): Promise<LogLine[]> {
  const r = await gql<{ job: { logs: LogLine[] } }>(
    t.url,
    'query($id: ID!, $a: Int) { job(id: $id) { logs(attempt: $a, limit: 5000) { attempt seq stream data } } }',
    { id, a: attempt ?? null },
    { token: t.adminToken },
  );
  return ok(r).job.logs;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Cancels every job not yet finished (test isolation). */
export async function cancelOpenJobs(t: { url: string; adminToken: string }): Promise<void> {
  const r = await gql<{ jobs: { edges: Array<{ node: { id: string } }> } }>(
    t.url,
    '{ jobs(status: [QUEUED, ASSIGNED, RUNNING], first: 100) { edges { node { id } } } }',
    undefined,
    { token: t.adminToken },
  );
  for (const e of ok(r).jobs.edges) {
    await gql(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: e.node.id }, { token: t.adminToken });
  }
}

export async function createUser(t: { url: string; adminToken: string }, username: string): Promise<string> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const r = await gql(t.url, 'mutation($u: String!, $p: String!) { createUser(username: $u, password: $p) { id } }', { u: username, p: password }, { token: t.adminToken });
  ok(r);
  return login(t.url, username, password);
}

export { errorCode, gql };

export interface FakeWorkerOptions {
  labels?: string[];
  capacity?: number;
  sandboxes?: string[];
  /** open the assignments stream (default true) */
  subscribe?: boolean;
}

/** A fake worker with its own token, registered on `api`, heartbeating every 250 ms. */
export async function connectFakeWorker(api: DispatchApi, name: string, opts: FakeWorkerOptions = {}): Promise<FakeWorker> {
  const w = new FakeWorker(api.wsUrl, await mintWorkerToken(api, name));
  await w.register({ name, labels: opts.labels, capacity: opts.capacity, sandboxes: opts.sandboxes });
  w.autoHeartbeat(250);
  if (opts.subscribe !== false) w.subscribe();
  return w;
}
