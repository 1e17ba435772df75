import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { errorMessage, isLeaseLost, WorkerError } from '../errors';
import { JobGuardian } from '../runner/job-guardian';
import { SpawnHelper } from '../runner/spawn-helper';
import { JobRunner } from '../runner/job-runner';
import { createNoneProvider } from '../runner/none.sandbox';
import { reapOrphans } from '../runner/orphan-reaper';
import { removeLeftSpares, SpareJobDirs } from '../runner/spare-job-dirs';
import { SandboxError, type RunnableJob, type Sandbox, type SandboxProvider } from '../runner/sandbox.types';
import type { Assignment, JobAttempt } from '../transport/operations';
import { toWebSocketUrl } from '../transport/server-url';
import { WorkerApi } from '../transport/worker-api';
import { WorkerClient } from '../transport/worker-client';
import { attemptKey } from '../util/attempt-key';
import { traceCycle } from '../util/cycle-trace';
import { backoffDelay, sleep } from '../util/backoff';
import { ActionListener } from './action-listener';
import { MeteredWorkerApi } from './agent-metrics';
import { DEFAULTS, type AgentOptions } from './agent.options';

export interface Agent {
  /** the worker id the server gave at the last registration */
  readonly workerId: string | undefined;
  /** `jobId/attempt` of the attempts running now */
  runningJobs(): JobAttempt[];
  /**
   * Graceful stop: take no new work, let running jobs finish (stop them after the shutdown
   * timeout), report them, then close the connection. Leaves no timers, sockets or child
   * processes. Safe to call more than once; `{ now: true }` (e.g. a second SIGTERM) skips
   * the rest of the shutdown timeout and stops the running jobs at once.
   */
  stop(options?: { now?: boolean }): Promise<void>;
  /** resolves after stop(); rejects when the agent had to give up (bad token) */
  readonly closed: Promise<void>;
}

/** Starts an agent and resolves once it is registered with the server. */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const agent = new WorkerAgent(options);
  await agent.start();
  return agent;
}

/**
 * The worker agent: one connection, registration (again after every reconnect, with the
 * attempts still running so their leases survive), the assignment loop, heartbeats and
 * one JobRunner per attempt.
 */
export class WorkerAgent implements Agent {
  readonly closed: Promise<void>;
  private readonly log: Logger;
  private readonly client: WorkerClient;
  private readonly api: WorkerApi;
  private readonly listener: ActionListener;
  private readonly sandboxes: SandboxProvider;
  private readonly runners = new Map<string, JobRunner>();
  private readonly settled = new Map<string, Promise<unknown>>();
  private readonly name: string | undefined;
  /** This process's id: reconnecting with it keeps our worker record (and its name) ours. */
  private readonly instanceId = randomUUID();
  /** jobs run at once */
  readonly concurrency: number;
  private readonly workDir: string;
  private readonly spareDirs: SpareJobDirs;
  private registered = false;
  private registering: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatMs: number = DEFAULTS.heartbeatIntervalSeconds * 1000;
  private stopping: Promise<void> | undefined;
  private fatal: WorkerError | undefined;
  private readonly lifetime = new AbortController();
  /** aborted by stop({ now: true }): the shutdown timeout is over */
  private readonly hurry = new AbortController();
  private startWaiter: { resolve(): void; reject(err: Error): void } | undefined;
  private resolveClosed!: () => void;
  private rejectClosed!: (err: Error) => void;
  private loop: Promise<void> | undefined;
  private guardian: JobGuardian | undefined;
  private spawnHelper: SpawnHelper | undefined;
  workerId: string | undefined;

  constructor(private readonly options: AgentOptions) {
    this.log = options.logger ?? pino({ name: 'cmd-executor-worker' });
    // Unset: the server names the worker after its token.
    this.name = options.name;
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
    this.workDir = path.resolve(options.workDir ?? DEFAULTS.workDir);
    this.spareDirs = new SpareJobDirs(this.workDir, this.concurrency);
    this.sandboxes = options.sandboxes ?? createNoneProvider();
    this.closed = new Promise((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    // Callers that only await stop() must not see an unhandled rejection.
    this.closed.catch(() => undefined);
    this.client = new WorkerClient({
      url: toWebSocketUrl(options.server),
      token: options.token,
      logger: this.log,
      reconnect: options.reconnect ?? DEFAULTS.reconnect,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      keepAliveMs: options.keepAliveMs ?? DEFAULTS.keepAliveMs,
    });
    const ready = () => this.registered;
    this.api = options.metrics ? new MeteredWorkerApi(this.client, ready, options.metrics) : new WorkerApi(this.client, ready);
    this.listener = new ActionListener(this.client, this.log);
    this.client.onConnected(() => {
      options.metrics?.connected();
      void this.register();
    });
    this.client.onDisconnected(() => {
      this.registered = false;
      this.listener.detach();
    });
    this.client.onFatal((err) => void this.die(err));
  }

  /** Resolves after the first registration; rejects on a fatal error. */
  async start(): Promise<void> {
    if (this.loop) throw new Error('the agent was started already');
    this.loop = Promise.resolve();
    await mkdir(this.workDir, { recursive: true });
    // jobs a killed predecessor left running would run twice: the server re-runs them elsewhere
    await reapOrphans(this.workDir, this.log);
    removeLeftSpares(this.workDir);
    await this.sandboxes.start?.();
    // Stopped while starting (a signal, the parent gone): never connect.
    if (this.stopping) return;
    const [guardian, spawnHelper] = await Promise.all([
      JobGuardian.start({ logger: this.log, dockerPath: this.sandboxes.dockerPath }),
      this.options.spawnHelper === 'off' ? undefined : SpawnHelper.start({ logger: this.log }),
    ]);
    if (this.stopping) {
      // close() ran meanwhile and could not see them
      await Promise.all([guardian.close(), spawnHelper?.close()]);
      return;
    }
    this.guardian = guardian;
    this.spawnHelper = spawnHelper;
    this.log.info(
      { name: this.name, server: this.options.server, concurrency: this.concurrency, workDir: this.workDir, sandboxes: this.sandboxes.kinds, forkedBy: spawnHelper ? 'spawn helper' : 'agent' },
      'worker agent starting',
    );
    this.client.connect();
    this.loop = this.acceptLoop().catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'assignment loop failed'));
    if (this.registered) return;
    if (this.fatal) throw this.fatal;
    await new Promise<void>((resolve, reject) => (this.startWaiter = { resolve, reject }));
  }

  runningJobs(): JobAttempt[] {
    return [...this.runners.values()].map((r) => ({ jobId: r.job.jobId, attempt: r.job.attempt }));
  }

  stop(options: { now?: boolean } = {}): Promise<void> {
    if (options.now) this.hurry.abort();
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  // --- registration and heartbeats ---

  private register(): Promise<void> {
    this.registering ??= this.registerOnce().finally(() => (this.registering = undefined));
    return this.registering;
  }

  private async registerOnce(): Promise<void> {
    for (let attempt = 0; this.client.isConnected && !this.fatal && !this.lifetime.signal.aborted; attempt++) {
      try {
        const worker = await this.api.registerWorker({
          name: this.name ?? null,
          hostname: os.hostname(),
          labels: this.options.labels ?? [],
          capacity: this.concurrency,
          version: this.options.version ?? packageVersion(),
          sandboxes: this.sandboxes.kinds,
          runningJobs: this.runningJobs(),
          instanceId: this.instanceId,
        });
        this.workerId = worker.id;
        this.heartbeatMs = Math.max(1, worker.heartbeatIntervalSeconds || DEFAULTS.heartbeatIntervalSeconds) * 1000;
        this.registered = true;
        this.log.info({ workerId: worker.id, name: worker.name, running: this.runners.size }, 'registered');
        if (!this.stopping) this.listener.listen();
        this.scheduleHeartbeat(this.runners.size > 0 ? 0 : this.heartbeatMs);
        for (const r of this.runners.values()) r.resume();
        this.startWaiter?.resolve();
        this.startWaiter = undefined;
        return;
      } catch (err) {
        // A credential that is valid but not a worker's (e.g. a user's JWT): retrying cannot help.
        if (err instanceof WorkerError && (err.serverCode === 'UNAUTHENTICATED' || err.serverCode === 'FORBIDDEN')) {
          await this.die(new WorkerError('AUTH', `registerWorker refused: ${errorMessage(err)}`, { cause: err }));
          return;
        }
        const delay = backoffDelay(attempt, DEFAULTS.reconnect);
        this.log.warn({ err: errorMessage(err), retryInMs: delay }, 'registerWorker failed');
        await sleep(delay, this.lifetime.signal);
      }
    }
  }

  private scheduleHeartbeat(delayMs: number): void {
    clearTimeout(this.heartbeatTimer);
    if (this.lifetime.signal.aborted) return;
    this.heartbeatTimer = setTimeout(() => void this.beat(), delayMs);
  }

  private async beat(): Promise<void> {
    this.heartbeatTimer = undefined;
    if (!this.registered) return; // the next registration restarts the heartbeat
    try {
      const res = await this.api.heartbeat(this.runningJobs());
      this.log.trace({ lost: res.lost.length, cancel: res.cancel.length }, 'heartbeat');
      for (const a of res.lost) this.runners.get(attemptKey(a))?.drop('heartbeat: the attempt no longer holds its lease');
      for (const a of res.cancel) this.runners.get(attemptKey(a))?.stop('cancel');
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'heartbeat failed');
    }
    if (this.registered) this.scheduleHeartbeat(this.heartbeatMs);
  }

  // --- assignments ---

  private async acceptLoop(): Promise<void> {
    for await (const a of this.listener) {
      this.handle(a);
      // Several jobs of one message: each spawn (a synchronous fork) gets its own turn of the
      // event loop, so answers and exits that arrived meanwhile are handled between them, as
      // when the jobs came one per message. Nothing waits when this was the last one.
      if (this.listener.queued > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private handle(a: Assignment): void {
    switch (a.kind) {
      case 'ASSIGN':
        this.assign(a);
        return;
      case 'CANCEL': {
        const runner = this.runners.get(attemptKey(a));
        if (runner) runner.stop('cancel');
        else this.log.debug({ jobId: a.jobId, attempt: a.attempt }, 'cancel for an attempt not running here');
        return;
      }
      default: {
        const unknownKind: never = a.kind;
        this.log.warn({ kind: unknownKind }, 'unknown assignment kind');
      }
    }
  }

  private assign(a: Assignment): void {
    traceCycle('recv', a.jobId, a.attempt);
    const k = attemptKey(a);
    if (this.stopping) {
      this.log.info({ jobId: a.jobId }, 'shutting down: not taking the assignment');
      return;
    }
    if (this.runners.has(k)) return; // a repeated ASSIGN for an attempt already running
    if (!a.job) {
      this.log.warn({ jobId: a.jobId }, 'ASSIGN without a job; ignored');
      return;
    }
    const holding = [...this.runners.values()].filter((r) => r.holdsSlot).length;
    if (holding >= this.concurrency) {
      this.log.warn({ jobId: a.jobId, running: holding }, 'assignment beyond capacity; running it anyway');
    }
    const job = toRunnableJob(a);
    let sandbox: Sandbox;
    try {
      sandbox = this.sandboxes.select(job);
    } catch (err) {
      const message = err instanceof SandboxError ? err.message : `sandbox selection failed: ${errorMessage(err)}`;
      this.reportRefused(job, message);
      return;
    }
    const runner = new JobRunner(job, {
      api: this.api,
      sandbox,
      workDir: this.workDir,
      killGraceMs: (this.options.killGraceSeconds ?? DEFAULTS.killGraceSeconds) * 1000,
      logger: this.log,
      streamer: this.options.streamer,
      guard: this.guardian,
      spawnHelper: this.spawnHelper,
      spareDirs: this.spareDirs,
    });
    this.runners.set(k, runner);
    this.log.info({ jobId: job.jobId, attempt: job.attempt, running: this.runners.size }, 'job assigned');
    const done = runner.run().then((outcome) => {
      if (outcome.kind === 'dropped') this.log.warn({ jobId: job.jobId, attempt: job.attempt, reason: outcome.reason }, 'attempt dropped');
      this.runners.delete(k);
      this.settled.delete(k);
    });
    this.settled.set(k, done);
  }

  /** A job this worker cannot run (e.g. a sandbox it lacks): start it and fail it with the reason. */
  private reportRefused(job: RunnableJob, message: string): void {
    const k = attemptKey(job);
    const done = (async () => {
      try {
        await this.api.startJob(job.jobId, job.attempt);
        await this.api.completeJob(job.jobId, job.attempt, { exitCode: null, signal: null, error: message, canceled: false, timedOut: false });
      } catch (err) {
        if (!isLeaseLost(err)) this.log.warn({ jobId: job.jobId, err: errorMessage(err) }, 'could not report a refused job');
      }
    })().finally(() => this.settled.delete(k));
    this.settled.set(k, done);
  }

  // --- shutdown ---

  private async shutdown(): Promise<void> {
    this.log.info({ running: this.runners.size }, 'stopping: no new work; waiting for running jobs');
    this.listener.close();
    const timeoutMs = (this.options.shutdownTimeoutSeconds ?? DEFAULTS.shutdownTimeoutSeconds) * 1000;
    if (!(await this.waitForJobs(timeoutMs, this.hurry.signal))) {
      this.log.warn({ running: this.runners.size }, 'shutdown timeout: stopping running jobs');
      for (const r of this.runners.values()) r.stop('shutdown');
      const graceMs = (this.options.killGraceSeconds ?? DEFAULTS.killGraceSeconds) * 1000;
      // after the kill, give the logs and the report a little time to reach the server
      if (!(await this.waitForJobs(graceMs + 10_000))) {
        for (const r of this.runners.values()) r.drop('the agent stopped before the server acknowledged the job');
        await this.waitForJobs(5_000);
      }
    }
    await this.close();
    // A start still waiting for its first registration ends with the agent.
    this.startWaiter?.resolve();
    this.startWaiter = undefined;
    this.resolveClosed();
  }

  /** true when every runner settled within `ms` */
  private async waitForJobs(ms: number, cutShort?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.settled.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0 || cutShort?.aborted) return false;
      const done = new AbortController(); // clears the sleep's timer when the jobs win the race
      const signal = cutShort ? AbortSignal.any([cutShort, done.signal]) : done.signal;
      await Promise.race([Promise.all(this.settled.values()), sleep(left, signal)]);
      done.abort();
    }
    return true;
  }

  private async die(err: WorkerError): Promise<void> {
    if (this.fatal) return;
    this.fatal = err;
    this.log.error({ err: err.message }, 'giving up');
    this.listener.close();
    for (const r of this.runners.values()) r.drop(`agent stopped: ${err.message}`);
    this.startWaiter?.reject(err);
    this.startWaiter = undefined;
    await this.waitForJobs(5_000);
    await this.close();
    this.rejectClosed(err);
  }

  private async close(): Promise<void> {
    this.lifetime.abort();
    // stop() while start() still waits for a first registration (server unreachable)
    this.startWaiter?.resolve();
    this.startWaiter = undefined;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.registered = false;
    const steps: [string, () => Promise<unknown>][] = [
      ['connection', () => this.client.close()],
      ['sandboxes', async () => this.sandboxes.close?.()],
      ['assignment loop', async () => this.loop],
      ['spawn helper', async () => this.spawnHelper?.close()],
      ['job guardian', async () => this.guardian?.close()],
      ['spare job directories', async () => this.spareDirs.clear()],
    ];
    // every step runs even when one fails
    for (const [what, step] of steps) {
      await step().catch((e: unknown) => this.log.warn({ err: errorMessage(e) }, `closing ${what} failed`));
    }
    this.log.info('worker agent stopped');
  }
}

function toRunnableJob(a: Assignment): RunnableJob {
  const job = a.job!;
  return {
    jobId: a.jobId,
    attempt: a.attempt,
    command: job.command,
    args: job.args ?? null,
    env: (a.env ?? []).map((v) => ({ name: v.name, value: v.value, secret: v.secret })),
    cwd: job.cwd ?? null,
    timeoutSeconds: job.timeoutSeconds ?? null,
    sandbox: job.sandbox ?? null,
    image: job.image ?? null,
    limits: job.limits ?? null,
    leaseExpiresAt: a.leaseExpiresAt ? new Date(a.leaseExpiresAt) : null,
  };
}

/** Set by scripts/bundle.js in the single-file agent, which has no package.json beside it. */
declare const BUNDLED_VERSION: string | undefined;

let version: string | undefined;
function packageVersion(): string {
  if (version === undefined && typeof BUNDLED_VERSION === 'string') version = BUNDLED_VERSION;
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
