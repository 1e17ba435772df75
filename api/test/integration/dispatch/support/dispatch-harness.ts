import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import type { LeaseSettings } from '../../../../src/domain/lease';

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

export interface FakeWorkerOptions {
  labels?: string[];
  capacity?: number;
  sandboxes?: string[];
  /** open the assignments stream (default true) */
  subscribe?: boolean;
}

/** A fake worker with its own token, registered on `api`, heartbeating every 250 ms. */
export async function connectFakeWorker(api: DispatchApi, name: string, opts: FakeWorkerOptions = {}): Promise<FakeWorker> {
  const w = new FakeWorker(api.wsUrl, (await createWorkerToken(api, name)).token);
  await w.register({ name, labels: opts.labels, capacity: opts.capacity, sandboxes: opts.sandboxes });
  w.autoHeartbeat(250);
  if (opts.subscribe !== false) w.subscribe();
  return w;
}
