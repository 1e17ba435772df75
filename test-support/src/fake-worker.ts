import type { Client } from 'graphql-ws';
import { collect, wsClient } from './graphql-client';

export interface AssignmentEventView {
  kind: 'ASSIGN' | 'CANCEL';
  jobId: string;
  attempt: number;
  job: { id: string; command: string; priority: number; requirements: string[]; timeoutSeconds: number | null; env: Array<{ name: string; value: string | null; secret: boolean }> } | null;
  env: Array<{ name: string; value: string; secret: boolean }> | null;
  leaseExpiresAt: string | null;
}

export interface GqlResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

const ASSIGNMENTS = `subscription { assignments { kind jobId attempt
  job { id command priority requirements timeoutSeconds env { name value secret } }
  env { name value secret } leaseExpiresAt } }`;

/**
 * A worker agent driven by hand from a test: one graphql-ws connection with a worker token,
 * each protocol step a method, every assignment event recorded.
 */
export class FakeWorker {
  readonly client: Client;
  workerId?: string;
  private stream?: ReturnType<typeof collect<{ assignments: AssignmentEventView }>>;
  private beat?: NodeJS.Timeout;
  /** Attempts this fake reports as running in heartbeats. */
  readonly running = new Map<string, { jobId: string; attempt: number }>();
  readonly lostReports: Array<{ jobId: string; attempt: number }> = [];

  constructor(wsUrl: string, token: string) {
    // One socket for everything, like the real agent (a lazy client would open one per call).
    this.client = wsClient(wsUrl, { workerToken: token }, { lazy: false });
  }

  async request<T>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
    return new Promise((resolve, reject) => {
      let result: GqlResult<T> = {};
      this.client.subscribe<T>(
        { query, variables },
        {
          next: (v) => (result = v as GqlResult<T>),
          error: (e) => (Array.isArray(e) ? resolve({ errors: e as GqlResult<T>['errors'] }) : reject(e)),
          complete: () => resolve(result),
        },
      );
    });
  }

  async register(input: { name?: string; labels?: string[]; capacity?: number; sandboxes?: string[]; runningJobs?: Array<{ jobId: string; attempt: number }> } = {}) {
    const r = await this.request<{ registerWorker: { id: string; name: string; status: string; labels: string[]; capacity: number; leaseSeconds: number; heartbeatIntervalSeconds: number } }>(
      'mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id name status labels capacity leaseSeconds heartbeatIntervalSeconds } }',
      { i: { name: input.name ?? 'fake', capacity: input.capacity ?? 1, labels: input.labels, sandboxes: input.sandboxes, runningJobs: input.runningJobs, hostname: 'test-host', version: 'fake-1' } },
    );
    if (!r.data) throw new Error(`register failed: ${JSON.stringify(r.errors)}`);
    this.workerId = r.data.registerWorker.id;
    return r.data.registerWorker;
  }

  /** Opens the assignments stream; `onEvent` (optional) sees each event as it arrives. */
  subscribe(onEvent?: (event: AssignmentEventView) => void): void {
    this.stream = collect<{ assignments: AssignmentEventView }>(this.client, ASSIGNMENTS);
    if (onEvent) {
      const events = this.stream.events;
      const push = events.push.bind(events);
      events.push = (...items) => {
        const n = push(...items);
        for (const item of items) onEvent(item.assignments);
        return n;
      };
    }
  }

  get events(): AssignmentEventView[] {
    return (this.stream?.events ?? []).map((e) => e.assignments);
  }

  get assigned(): AssignmentEventView[] {
    return this.events.filter((e) => e.kind === 'ASSIGN');
  }

  async waitFor(predicate: (events: AssignmentEventView[]) => boolean, timeoutMs = 5000): Promise<void> {
    if (!this.stream) throw new Error('subscribe first');
    await this.stream.until(() => predicate(this.events), timeoutMs);
  }

  unsubscribe(): void {
    this.stream?.unsubscribe();
  }

  async heartbeat(runningJobs = [...this.running.values()]) {
    return this.request<{ heartbeat: { leaseExpiresAt: string; lost: Array<{ jobId: string; attempt: number }>; cancel: Array<{ jobId: string; attempt: number }> } }>(
      'mutation($r: [JobAttemptInput!]!) { heartbeat(runningJobs: $r) { leaseExpiresAt lost { jobId attempt } cancel { jobId attempt } } }',
      { r: runningJobs },
    );
  }

  /** Heartbeats every `ms` with `running`, dropping what the server says is lost. */
  autoHeartbeat(ms: number): void {
    this.beat = setInterval(() => {
      this.heartbeat()
        .then((r) => {
          for (const l of r.data?.heartbeat.lost ?? []) {
            this.running.delete(`${l.jobId}:${l.attempt}`);
            this.lostReports.push(l);
          }
        })
        .catch(() => undefined);
    }, ms);
  }

  stopHeartbeat(): void {
    if (this.beat) clearInterval(this.beat);
    this.beat = undefined;
  }

  async start(jobId: string, attempt: number) {
    const r = await this.request<{ startJob: { id: string; status: string } }>('mutation($j: ID!, $a: Int!) { startJob(jobId: $j, attempt: $a) { id status } }', { j: jobId, a: attempt });
    if (r.data) this.running.set(`${jobId}:${attempt}`, { jobId, attempt });
    return r;
  }

  async append(jobId: string, attempt: number, chunks: Array<{ seq: number; stream?: string; data: string }>) {
    return this.request<{ appendLogs: { ackedSeq: number; truncated: boolean } }>(
      'mutation($j: ID!, $a: Int!, $c: [LogChunkInput!]!) { appendLogs(jobId: $j, attempt: $a, chunks: $c) { ackedSeq truncated } }',
      { j: jobId, a: attempt, c: chunks.map((c) => ({ stream: 'STDOUT', ...c })) },
    );
  }

  async complete(jobId: string, attempt: number, result: { exitCode?: number; signal?: string; error?: string; canceled?: boolean; timedOut?: boolean }) {
    const r = await this.request<{ completeJob: { id: string; status: string; exitCode: number | null; error: string | null } }>(
      'mutation($j: ID!, $a: Int!, $r: JobResultInput!) { completeJob(jobId: $j, attempt: $a, result: $r) { id status exitCode error } }',
      { j: jobId, a: attempt, r: result },
    );
    this.running.delete(`${jobId}:${attempt}`);
    return r;
  }

  async close(): Promise<void> {
    this.stopHeartbeat();
    this.unsubscribe();
    await this.client.dispose();
  }
}
