import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { errorMessage, isLeaseLost, WorkerError } from '../errors';
import { LogStreamer, type AppendResult, type LogChunkOut, type LogStreamerOptions, type LogStreamerStats } from '../output/log-streamer';
import { backoffDelay, sleep, type BackoffOptions } from '../util/backoff';
import { traceCycle } from '../util/cycle-trace';
import type { JobGuard } from './job-guardian';
import { forgetProcessGroup, recordProcessGroup } from './orphan-reaper';
import { ProcessGroup } from './process-group';
import type { SpareJobDirs } from './spare-job-dirs';
import type { SpawnHelper } from './spawn-helper';
import { SandboxError, type ExitInfo, type RunnableJob, type Sandbox, type WrappedSpawn } from './sandbox.types';
import { buildSpawnSpec, secretValues } from './spawn-spec';

/** `completeJob`'s result input. */
export interface JobResult {
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  canceled: boolean;
  timedOut: boolean;
  /** stopped because the agent shut down: the server requeues the attempt */
  agentShutdown?: boolean;
  /** sent instead of startJob: how long the process ran (ms), 0 when it never spawned */
  ranForMs?: number;
}

/** The job-scoped server calls one runner makes (each refused with CONFLICT once the lease is gone). */
export interface JobApi {
  startJob(jobId: string, attempt: number): Promise<void>;
  appendLogs(jobId: string, attempt: number, chunks: LogChunkOut[]): Promise<AppendResult>;
  completeJob(jobId: string, attempt: number, result: JobResult): Promise<void>;
}

export interface JobRunnerOptions {
  api: JobApi;
  sandbox: Sandbox;
  /** per-job directories are created under it */
  workDir: string;
  /** SIGTERM → SIGKILL */
  killGraceMs: number;
  logger: Logger;
  streamer?: Partial<LogStreamerOptions>;
  retry?: BackoffOptions;
  /** kills the job's processes (and removes its container) should the agent die */
  guard?: JobGuard;
  /** forks job processes so the agent does not (absent or dead: the agent forks them) */
  spawnHelper?: SpawnHelper;
  /**
   * after the leader exited, how long to wait for the pipes to close before giving up on them
   * (time the output is held back by backpressure does not count)
   */
  pipeCloseTimeoutMs?: number;
  /** after the spawn, how long an early start waits to be reported (START_REPORT_DELAY_MS) */
  startReportDelayMs?: number;
  /** emptied job directories to reuse; used only for sandbox NONE (see SpareJobDirs) */
  spareDirs?: SpareJobDirs;
}

export type StopReason = 'cancel' | 'timeout' | 'shutdown';

export type RunOutcome =
  | { kind: 'completed'; result: JobResult }
  /** the attempt lost its lease (or never got it): nothing was reported */
  | { kind: 'dropped'; reason: string };

const LOST = (why: string): WorkerError => new WorkerError('CONFLICT', why);

/**
 * How far inside its lease an assignment must still be for its process to start while startJob
 * is on its way. The lease is the fence: until it runs out no other worker can be given the
 * attempt. The margin covers clock skew between agent and API and the startJob round trip.
 * A stale assignment (received late, or a lease too short for the margin) waits for startJob.
 */
export const EARLY_START_MARGIN_MS = 5_000;

/**
 * How long after the spawn an early start is reported. Short enough that nobody sees a job sit
 * in ASSIGNED, long enough that a short command's start and end go in one report.
 */
export const START_REPORT_DELAY_MS = 20;

/**
 * Runs one attempt from start to report, modelled on buildkite's run_job.go:
 * startJob → per-job dir → sandbox wrap → spawn in its own process group → stream output →
 * on exit, wait until every chunk is acknowledged → completeJob → clean up.
 * While the assignment is well inside its lease, startJob and the spawn go together (a round
 * trip less before the job runs); a refused startJob then kills the process group at once, as
 * a cancel would, and nothing is reported. Otherwise the process waits for startJob.
 * `stop()` (cancel, timeout, shutdown) sends SIGTERM to the group, SIGKILL after the grace
 * period, and may be called any number of times. `drop()` (lease lost) kills the same way
 * and reports nothing.
 */
export class JobRunner {
  readonly key: string;
  private readonly log: Logger;
  private readonly streamer: LogStreamer;
  private readonly aborted = new AbortController();
  /** aborted by resume(): cuts a retry backoff short */
  private wake = new AbortController();
  private proc: ProcessGroup | undefined;
  private wrapped: WrappedSpawn | undefined;
  /** this attempt's process group record, for the next agent start if this one is killed */
  private pgroupFile: string | undefined;
  private stopReason: StopReason | undefined;
  private lostReason: string | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private running: Promise<RunOutcome> | undefined;
  /** completeJob went out (the server frees the slot on receipt) or the lease is gone */
  private slotGiven = false;
  /** performance.now() at the spawn and at the leader's exit */
  private spawnedAt: number | undefined;
  private exitedAt: number | undefined;

  constructor(
    readonly job: RunnableJob,
    private readonly options: JobRunnerOptions,
  ) {
    this.key = `${job.jobId}/${job.attempt}`;
    this.log = options.logger.child({ jobId: job.jobId, attempt: job.attempt });
    const sink = { append: (chunks: LogChunkOut[]) => options.api.appendLogs(job.jobId, job.attempt, chunks) };
    this.streamer = new LogStreamer(sink, secretValues(job), options.streamer, this.log);
    this.streamer.onLeaseLost = (err) => this.drop(`appendLogs refused: ${err.message}`);
  }

  /** Runs the attempt once; later calls return the same promise. Never rejects. */
  run(): Promise<RunOutcome> {
    this.running ??= this.execute();
    return this.running;
  }

  /** Stop the process (cancel, timeout or shutdown) and report it. Harmless to call again. */
  stop(reason: StopReason): void {
    if (this.stopReason || this.lostReason) return;
    this.stopReason = reason;
    this.log.info({ reason }, 'stopping job');
    if (this.proc && !this.proc.hasExited) {
      this.streamer.system(`[cmd-executor] ${describeStop(reason, this.job)}: sending SIGTERM to the process group`);
    }
    this.terminate();
  }

  /** The attempt lost its lease: kill it and report nothing. Harmless to call again. */
  drop(reason: string): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    this.log.warn({ reason }, 'attempt lost its lease; dropping it');
    this.streamer.abort(LOST(reason));
    this.aborted.abort();
    this.terminate();
  }

  /** The connection is back: resend unacknowledged output and retry a pending call now. */
  resume(): void {
    this.streamer.resume();
    this.wake.abort();
  }

  /** pid of the process group leader, once spawned */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** the output streamer's queue and flow state (for tests and diagnostics) */
  get outputStats(): LogStreamerStats {
    return this.streamer.stats;
  }

  /**
   * Whether the attempt still counts against the agent's capacity as the server counts it: until
   * completeJob is sent (the process is gone by then) or the lease is lost. Cleanup after that
   * does not hold a slot, so an assignment for the freed slot is not "beyond capacity".
   */
  get holdsSlot(): boolean {
    return !this.slotGiven && this.lostReason === undefined;
  }

  get isStopping(): boolean {
    return this.stopReason !== undefined || this.lostReason !== undefined;
  }

  private async execute(): Promise<RunOutcome> {
    const jobDir = path.join(this.options.workDir, safeName(`${this.job.jobId}-${this.job.attempt}`));
    try {
      // Early: startJob goes out right after the spawn (its handling must not delay the spawn
      // when the API shares this event loop); otherwise the process waits for its answer (a
      // refusal drops the attempt, and runProcess then spawns nothing).
      let started = this.leaseSafelyHeld() ? undefined : this.reportStart();
      if (started) await started;

      // The early start is reported a moment after the spawn: a process that has ended by then
      // (or never spawned) is reported by completeJob alone, which then says how long it ran.
      // One report and one store write per short job instead of two; its RUNNING state is
      // never published.
      let startDue: NodeJS.Timeout | undefined;
      const result = await this.runProcess(jobDir, () => {
        startDue = setTimeout(() => (started ??= this.reportStart()), this.options.startReportDelayMs ?? START_REPORT_DELAY_MS);
      });
      clearTimeout(startDue);
      if (started === undefined) {
        result.ranForMs = this.ranForMs();
        started = Promise.resolve(true);
      }
      // Nothing more is reported for an attempt whose start was not accepted.
      if (!(await started) || this.lostReason) return { kind: 'dropped', reason: this.lostReason ?? 'startJob refused' };
      this.trace('start-known');
      if (result.error) this.streamer.system(`[cmd-executor] ${result.error}`);

      // Reported only once the server holds every chunk: "finished" before the logs would
      // let a reader see a job SUCCEEDED with its last lines missing.
      try {
        await this.streamer.finish();
      } catch (err) {
        if (this.lostReason || isLeaseLost(err)) throw err;
        // The output could not be delivered, but the result is known: report it anyway.
        this.log.error({ err: errorMessage(err) }, 'job output incomplete on the server');
      }
      this.trace('flushed');
      // From here the server may free the slot and fill it before this runner has cleaned up.
      this.slotGiven = true;
      this.trace('complete-sent');
      await this.withRetry('completeJob', () => this.options.api.completeJob(this.job.jobId, this.job.attempt, result));
      this.trace('complete-acked');
      this.log.info({ exitCode: result.exitCode, signal: result.signal, error: result.error }, 'job reported');
      return { kind: 'completed', result };
    } catch (err) {
      if (!this.lostReason) this.drop(isLeaseLost(err) ? errorMessage(err) : `runner failed: ${errorMessage(err)}`);
      return { kind: 'dropped', reason: this.lostReason ?? errorMessage(err) };
    } finally {
      clearTimeout(this.killTimer);
      clearTimeout(this.timeoutTimer);
      this.streamer.abort(new Error('runner finished'));
      await this.cleanup(jobDir);
    }
  }

  /**
   * startJob until it is accepted (true) or refused (false: the attempt is dropped, and its
   * process, if it already runs, is killed). Never rejects.
   */
  private async reportStart(): Promise<boolean> {
    try {
      this.trace('start-sent');
      await this.withRetry('startJob', () => this.options.api.startJob(this.job.jobId, this.job.attempt));
      this.trace('start-acked');
      return true;
    } catch (err) {
      this.drop(isLeaseLost(err) ? `startJob refused: ${errorMessage(err)}` : `runner failed: ${errorMessage(err)}`);
      return false;
    }
  }

  /** Spawn to exit in whole ms; 0 for a process that never spawned. */
  private ranForMs(): number {
    if (this.spawnedAt === undefined) return 0;
    return Math.max(0, Math.round((this.exitedAt ?? performance.now()) - this.spawnedAt));
  }

  /** The lease is certain to be this attempt's for longer than a startJob round trip. */
  private leaseSafelyHeld(): boolean {
    const until = this.job.leaseExpiresAt?.getTime();
    return until !== undefined && Date.now() < until - EARLY_START_MARGIN_MS;
  }

  /** `onSpawned` runs once the process exists. */
  private async runProcess(jobDir: string, onSpawned: () => void): Promise<JobResult> {
    const result: JobResult = { exitCode: null, signal: null, error: null, canceled: false, timedOut: false };
    const flag = (): JobResult => {
      if (this.stopReason === 'cancel') result.canceled = true;
      if (this.stopReason === 'timeout') result.timedOut = true;
      if (this.stopReason === 'shutdown') {
        result.agentShutdown = true;
        if (!result.error) result.error = 'stopped: the worker agent shut down';
      }
      return result;
    };
    if (this.isStopping) return flag();

    let cwd: string;
    try {
      // Synchronous on purpose: two tiny local calls, where a thread-pool round trip would
      // queue behind everything else on a busy event loop, right before the job starts.
      const spares = this.sparesForThisJob();
      if (spares) spares.take(jobDir);
      else mkdirSync(jobDir, { recursive: true });
      cwd = this.job.cwd ? path.resolve(jobDir, this.job.cwd) : jobDir;
      const st = statSync(cwd, { throwIfNoEntry: false });
      if (!st?.isDirectory()) {
        result.error = `cwd ${this.job.cwd} does not exist on worker`;
        return result;
      }
      const spec = buildSpawnSpec(this.job, cwd, jobDir);
      this.wrapped = await this.options.sandbox.wrap(spec, this.job, { jobDir, key: this.key, logger: this.log });
    } catch (err) {
      result.error = err instanceof SandboxError ? err.message : `could not prepare the job: ${errorMessage(err)}`;
      return result;
    }
    if (this.isStopping) return flag();

    const guard = this.options.guard;
    if (this.wrapped.container) guard?.watchContainer(this.wrapped.container);
    try {
      this.proc = await ProcessGroup.start(this.wrapped.spec, (pid) => guard?.watchGroup(pid), this.options.spawnHelper);
    } catch (err) {
      result.error = `spawn failed: ${errorMessage(err)}`;
      return result;
    }
    const proc = this.proc;
    this.spawnedAt = performance.now();
    this.trace('spawned');
    onSpawned();
    this.log.info({ pid: proc.pid, sandbox: this.options.sandbox.kind }, 'job process started');
    // stop() or drop() may have come while spawning
    if (this.isStopping) this.terminate();
    if (this.job.timeoutSeconds && this.job.timeoutSeconds > 0) {
      this.timeoutTimer = setTimeout(() => this.stop('timeout'), this.job.timeoutSeconds * 1000);
    }

    // Backpressure: while the server is slower than the job, both pipes stop being read
    // together (so their interleaving is kept) and the job blocks on write.
    const sources = [proc.stdout, proc.stderr];
    this.streamer.onFlowChange = (flowing) => {
      for (const s of sources) {
        if (flowing) s.resume();
        else s.pause();
      }
    };
    const pipesClosed = Promise.all([this.pipe(sources[0]!, 'STDOUT'), this.pipe(sources[1]!, 'STDERR')]);
    // after the pipes are read: Node discards the output of a child that exits unread
    this.pgroupFile = await recordProcessGroup(this.options.workDir, this.job, proc.pid, this.log);
    const exit = await proc.exited;
    this.exitedAt = performance.now();
    this.trace('exited');
    clearTimeout(this.timeoutTimer);
    // What the leader left behind (a `cmd &` without wait) would outlive the job and keep
    // its pipes open: the job is over, so the rest of its group goes too.
    this.killQuietly('SIGKILL');
    await this.waitPipes(pipesClosed, proc);
    this.trace('closed');
    clearTimeout(this.killTimer);

    result.exitCode = exit.exitCode;
    result.signal = exit.signal;
    const limit = await this.classify(exit);
    if (limit) result.error = limit;
    return flag();
  }

  private pipe(stream: NodeJS.ReadableStream, name: 'STDOUT' | 'STDERR'): Promise<void> {
    return new Promise((resolve) => {
      const readable = stream as NodeJS.ReadableStream & { isPaused(): boolean };
      stream.on('data', (buf: Buffer) => {
        this.streamer.write(name, buf);
        // Node resumes a child's pipes by itself when the child exits (flushStdio): hold
        // them again, so the queue stays bounded while what is left in them waits its turn.
        if (this.streamer.isFlowPaused && !readable.isPaused()) stream.pause();
      });
      let ended = false;
      const done = (): void => {
        if (ended) return;
        ended = true;
        this.streamer.endStream(name);
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
  }

  private async waitPipes(closed: Promise<unknown>, proc: ProcessGroup): Promise<void> {
    // Only time the pipes are read counts: while backpressure holds them, what the job wrote
    // before it exited is still waiting in them and must not be thrown away.
    const limit = this.options.pipeCloseTimeoutMs ?? 2_000;
    const step = Math.max(1, Math.min(100, limit));
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    let flowingMs = 0;
    let last = Date.now();
    while (!isClosed && flowingMs < limit) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, step)))]);
      clearTimeout(timer);
      const now = Date.now();
      if (!this.streamer.isFlowPaused) flowingMs += now - last;
      last = now;
    }
    if (!isClosed) {
      // A process outside the group (it called setsid) still holds the pipe.
      this.log.warn('output pipes still open after the job exited; closing them');
      proc.stdout.destroy();
      proc.stderr.destroy();
    }
  }

  /** SIGTERM to the group (and the sandbox's own stop), SIGKILL after the grace period. */
  private terminate(): void {
    const proc = this.proc;
    if (!proc || proc.hasExited || this.killTimer) return;
    this.killQuietly('SIGTERM');
    if (this.wrapped?.stop) {
      this.wrapped.stop().catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'sandbox stop failed'));
    }
    this.killTimer = setTimeout(() => {
      if (!proc.hasExited) this.log.warn('grace period over; sending SIGKILL to the process group');
      this.killQuietly('SIGKILL');
    }, this.options.killGraceMs);
  }

  private killQuietly(sig: NodeJS.Signals): void {
    if (!this.proc) return;
    try {
      this.proc.signal(sig);
    } catch (err) {
      this.log.warn({ err: errorMessage(err), sig }, 'could not signal the process group');
    }
  }

  private async classify(exit: ExitInfo): Promise<string | undefined> {
    try {
      return (await this.wrapped?.classifyExit?.(exit)) ?? undefined;
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'sandbox could not classify the exit');
      return undefined;
    }
  }

  /** Retries transient failures with backoff until success, a refusal, or drop(). */
  private async withRetry(what: string, call: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.lostReason) throw LOST(this.lostReason);
      try {
        return await call();
      } catch (err) {
        if (isLeaseLost(err)) throw err;
        const delay = backoffDelay(attempt, this.options.retry ?? { baseMs: 200, maxMs: 5_000 });
        this.log.warn({ err: errorMessage(err), retryInMs: delay }, `${what} failed; retrying`);
        this.wake = new AbortController();
        await sleep(delay, AbortSignal.any([this.aborted.signal, this.wake.signal]));
      }
    }
  }

  private trace(step: string): void {
    traceCycle(step, this.job.jobId, this.job.attempt);
  }

  private async cleanup(jobDir: string): Promise<void> {
    // runProcess SIGKILLed the whole group once its leader exited: nothing of it is left
    await forgetProcessGroup(this.pgroupFile, this.log);
    if (this.proc) this.options.guard?.forgetGroup(this.proc.pid);
    if (this.wrapped?.cleanup) {
      await this.wrapped.cleanup().catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'sandbox cleanup failed'));
    }
    if (this.wrapped?.container) this.options.guard?.forgetContainer(this.wrapped.container);
    if (this.sparesForThisJob()?.keep(jobDir)) return;
    await removeJobDir(jobDir).catch((err: unknown) => this.log.warn({ err: errorMessage(err), jobDir }, 'could not remove the job directory'));
  }

  /** Directories are reused only where a job runs as the agent's own user and nothing is chowned. */
  private sparesForThisJob(): SpareJobDirs | undefined {
    return this.options.sandbox.kind === 'NONE' ? this.options.spareDirs : undefined;
  }
}

/**
 * Most jobs leave their directory empty: one rmdir removes it, where a recursive rm costs an
 * lstat and a readdir more per job. Anything left in it takes the recursive rm.
 */
async function removeJobDir(jobDir: string): Promise<void> {
  try {
    rmdirSync(jobDir); // synchronous, like its mkdir (see runProcess)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    await rm(jobDir, { recursive: true, force: true });
  }
}

function describeStop(reason: StopReason, job: RunnableJob): string {
  switch (reason) {
    case 'cancel':
      return 'cancel requested';
    case 'timeout':
      return `timed out after ${job.timeoutSeconds} s`;
    case 'shutdown':
      return 'the worker agent is shutting down';
    default: {
      const never: never = reason;
      return never;
    }
  }
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}
