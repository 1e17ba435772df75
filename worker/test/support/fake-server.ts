import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildSchema, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A stand-in for the API's worker channel, speaking the real contract
 * (schema/schema.graphql) over real graphql-ws sockets: it checks the worker token
 * (4403 on a bad one), keeps leases per attempt (CONFLICT when lost), stores log chunks
 * idempotently by seq and acknowledges the highest gap-free one, and records every call
 * so tests can assert the agent's behaviour from the server's side.
 */

export interface FakeChunk {
  seq: number;
  stream: string;
  data: string;
}

export interface AttemptState {
  jobId: string;
  attempt: number;
  started: boolean;
  lost: boolean;
  chunks: Map<number, FakeChunk>;
  ackedSeq: number;
  completed: Record<string, unknown> | undefined;
  /** ackedSeq seen when completeJob arrived */
  ackedAtComplete: number | undefined;
  /** number of chunks when completeJob arrived */
  chunksAtComplete: number | undefined;
}

export interface AssignInput {
  jobId: string;
  attempt?: number;
  command: string;
  args?: string[] | null;
  env?: { name: string; value: string; secret: boolean }[];
  cwd?: string | null;
  timeoutSeconds?: number | null;
  sandbox?: 'NONE' | 'NAMESPACE' | 'DOCKER' | null;
}

interface Subscriber {
  push(v: unknown): void;
  /** subscribed to assignmentBatch (each event a list) rather than assignments */
  batch: boolean;
}

export class FakeWorkerServer {
  readonly calls: { op: string; args: Record<string, unknown> }[] = [];
  readonly attempts = new Map<string, AttemptState>();
  readonly registrations: Record<string, unknown>[] = [];
  connectionAttempts = 0;
  /** while true, appendLogs stores nothing and fails (as if the DB were down) */
  failAppends = false;
  heartbeatIntervalSeconds = 1;
  private readonly subscribers = new Set<Subscriber>();
  private readonly sockets = new Set<WebSocket>();
  private server!: http.Server;
  private wss!: WebSocketServer;
  private disposeWs: { dispose(): Promise<void> | void } | undefined;
  private waiters: { check(): boolean; resolve(): void }[] = [];
  port = 0;

  constructor(private readonly validTokens: Set<string> = new Set(['good-token'])) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    const schema = buildSchema(readFileSync(path.join(__dirname, '../../../schema/schema.graphql'), 'utf8'));
    this.server = http.createServer((_req, res) => res.writeHead(404).end());
    this.wss = new WebSocketServer({ server: this.server, path: '/graphql' });
    this.wss.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.disposeWs = useServer(
      {
        schema,
        onConnect: (ctx) => {
          this.connectionAttempts++;
          const token = (ctx.connectionParams as { workerToken?: string } | undefined)?.workerToken;
          return token !== undefined && this.validTokens.has(token);
        },
        roots: {
          mutation: this.mutations() as never,
          subscription: { assignments: () => this.assignmentsIterator(false), assignmentBatch: () => this.assignmentsIterator(true) } as never,
        },
      },
      this.wss,
    );
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops reading from every open socket: a half-open connection (pings go unanswered). */
  freezeConnections(): void {
    for (const s of this.sockets) (s as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  /** Closes every socket abruptly (a network cut); the server keeps listening. */
  dropConnections(): void {
    for (const s of this.sockets) s.terminate();
  }

  /** The token is revoked: open sockets close with 4403 and it is refused from now on. */
  revokeAll(): void {
    this.validTokens.clear();
    for (const s of this.sockets) s.close(4403, 'Forbidden');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await this.disposeWs?.dispose();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections?.();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  assign(job: AssignInput): void {
    const attempt = job.attempt ?? 1;
    this.state(job.jobId, attempt);
    const env = job.env ?? [];
    this.broadcast({
      kind: 'ASSIGN',
      jobId: job.jobId,
      attempt,
      job: {
        id: job.jobId,
        command: job.command,
        args: job.args ?? null,
        cwd: job.cwd ?? null,
        timeoutSeconds: job.timeoutSeconds ?? null,
        sandbox: job.sandbox ?? null,
        image: null,
        limits: null,
      },
      env,
    });
  }

  cancel(jobId: string, attempt = 1): void {
    this.broadcast({ kind: 'CANCEL', jobId, attempt, job: null, env: null });
  }

  /** The attempt's lease lapsed: further calls get CONFLICT, heartbeats list it as lost. */
  loseLease(jobId: string, attempt = 1): void {
    this.state(jobId, attempt).lost = true;
  }

  state(jobId: string, attempt = 1): AttemptState {
    const key = `${jobId}/${attempt}`;
    let s = this.attempts.get(key);
    if (!s) {
      s = { jobId, attempt, started: false, lost: false, chunks: new Map(), ackedSeq: 0, completed: undefined, ackedAtComplete: undefined, chunksAtComplete: undefined };
      this.attempts.set(key, s);
    }
    return s;
  }

  text(jobId: string, attempt = 1, stream?: string): string {
    const s = this.state(jobId, attempt);
    const out: string[] = [];
    for (let seq = 1; seq <= s.chunks.size; seq++) {
      const c = s.chunks.get(seq);
      if (!c) throw new Error(`gap at seq ${seq}`);
      if (stream === undefined || c.stream === stream) out.push(c.data);
    }
    return out.join('');
  }

  /** Resolves when `check` holds (re-checked after every call the server handles). */
  waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  callsOf(op: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.args);
  }

  private record(op: string, args: Record<string, unknown>): void {
    this.calls.push({ op, args });
    queueMicrotask(() => this.notify());
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  private leased(jobId: string, attempt: number): AttemptState {
    const s = this.attempts.get(`${jobId}/${attempt}`);
    if (!s || s.lost || s.completed) {
      throw new GraphQLError('this attempt no longer holds the lease', { extensions: { code: 'CONFLICT' } });
    }
    return s;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private mutations(): Record<string, (args: any) => unknown> {
    const single = this.singleMutations();
    /** a batch mutation: each item through the single one, a refusal refusing that item alone */
    const each =
      (op: (item: { jobId: string; attempt: number }) => unknown) =>
      (items: { jobId: string; attempt: number }[]) =>
        items.map((item) => {
          try {
            op(item);
            return { jobId: item.jobId, attempt: item.attempt, accepted: true, code: null, message: null };
          } catch (err) {
            if (!(err instanceof GraphQLError)) throw err;
            return { jobId: item.jobId, attempt: item.attempt, accepted: false, code: String(err.extensions.code), message: err.message };
          }
        });
    return {
      ...single,
      startJobs: ({ attempts }: { attempts: { jobId: string; attempt: number }[] }) => each((a) => single.startJob(a))(attempts),
      completeJobs: ({ completions }: { completions: { jobId: string; attempt: number; result: Record<string, unknown> }[] }) =>
        each((c) => single.completeJob(c))(completions),
      // Each attempt's batch through appendLogs; the store failing fails the whole call, as in the API.
      appendLogsBatch: ({ batches }: { batches: { jobId: string; attempt: number; chunks: FakeChunk[] }[] }) =>
        batches.map((b) => {
          try {
            const r = single.appendLogs(b) as { ackedSeq: number; truncated: boolean };
            return { jobId: b.jobId, attempt: b.attempt, accepted: true, ackedSeq: r.ackedSeq, truncated: r.truncated, code: null, message: null };
          } catch (err) {
            if (!(err instanceof GraphQLError) || err.extensions.code === 'INTERNAL_SERVER_ERROR') throw err;
            return { jobId: b.jobId, attempt: b.attempt, accepted: false, ackedSeq: null, truncated: null, code: String(err.extensions.code), message: err.message };
          }
        }),
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private singleMutations(): Record<string, (args: any) => unknown> {
    return {
      registerWorker: ({ input }: { input: Record<string, unknown> }) => {
        this.registrations.push(input);
        this.record('registerWorker', input);
        return {
          id: 'worker-1',
          // An agent started without --name takes its token's name, as the API does.
          name: input.name ?? 'token-worker',
          hostname: input.hostname,
          labels: input.labels ?? [],
          capacity: input.capacity,
          running: 0,
          status: 'ONLINE',
          sandboxes: input.sandboxes ?? [],
          leaseSeconds: 15,
          heartbeatIntervalSeconds: this.heartbeatIntervalSeconds,
        };
      },
      heartbeat: ({ runningJobs }: { runningJobs: { jobId: string; attempt: number }[] }) => {
        this.record('heartbeat', { runningJobs });
        const lost = runningJobs.filter((a) => this.attempts.get(`${a.jobId}/${a.attempt}`)?.lost);
        return { leaseExpiresAt: new Date(Date.now() + 15_000).toISOString(), lost, cancel: [] };
      },
      startJob: ({ jobId, attempt }: { jobId: string; attempt: number }) => {
        this.record('startJob', { jobId, attempt });
        const s = this.leased(jobId, attempt);
        s.started = true;
        return { id: jobId, status: 'RUNNING' };
      },
      appendLogs: ({ jobId, attempt, chunks }: { jobId: string; attempt: number; chunks: FakeChunk[] }) => {
        this.record('appendLogs', { jobId, attempt, count: chunks.length, seqs: chunks.map((c) => c.seq) });
        const s = this.leased(jobId, attempt);
        if (this.failAppends) throw new GraphQLError('storage unavailable', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        for (const c of chunks) if (!s.chunks.has(c.seq)) s.chunks.set(c.seq, { seq: c.seq, stream: c.stream, data: c.data });
        while (s.chunks.has(s.ackedSeq + 1)) s.ackedSeq++;
        return { ackedSeq: s.ackedSeq, truncated: false };
      },
      completeJob: ({ jobId, attempt, result }: { jobId: string; attempt: number; result: Record<string, unknown> }) => {
        this.record('completeJob', { jobId, attempt, result });
        const s = this.leased(jobId, attempt);
        s.completed = { ...result };
        s.ackedAtComplete = s.ackedSeq;
        s.chunksAtComplete = s.chunks.size;
        return { id: jobId, status: 'SUCCEEDED' };
      },
    };
  }

  private broadcast(event: unknown): void {
    for (const s of this.subscribers) s.push(s.batch ? { assignmentBatch: [event] } : { assignments: event });
  }

  private assignmentsIterator(batch: boolean): AsyncIterableIterator<unknown> {
    const queue: unknown[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const sub: Subscriber = {
      batch,
      push: (v) => {
        queue.push(v);
        wake?.();
      },
    };
    this.subscribers.add(sub);
    this.record('subscribe', {});
    const end = (): void => {
      done = true;
      this.subscribers.delete(sub);
      wake?.();
      this.record('unsubscribe', {});
    };
    const it: AsyncIterableIterator<unknown> = {
      [Symbol.asyncIterator]: () => it,
      next: async () => {
        while (!done && queue.length === 0) await new Promise<void>((r) => (wake = r));
        if (done) return { done: true, value: undefined };
        return { done: false, value: queue.shift() };
      },
      return: async () => {
        end();
        return { done: true, value: undefined };
      },
    };
    return it;
  }
}
