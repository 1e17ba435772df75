import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from './logger';

export interface LocalAgentOptions {
  /** the API's GraphQL URL */
  server: string;
  token: string;
  name: string;
  labels: string[];
  concurrency: number;
  workDir: string;
  logLevel: string;
  logger: Logger;
  /** after SIGTERM, how long running jobs may take before the agent cancels them (s) */
  shutdownTimeoutSeconds?: number;
}

export interface LocalAgent {
  /** the agent process now running (undefined between a crash and its restart) */
  readonly pid: number | undefined;
  /** SIGTERM (running jobs finish or are canceled after the shutdown timeout), SIGKILL past it */
  stop(): Promise<void>;
  /**
   * At once: SIGKILL, whose effect the agent's guardian completes by killing every job process
   * (the jobs' leases then lapse on the server). Resolves once the agent is gone.
   */
  kill(): Promise<void>;
  /** seconds the agent gives running jobs after SIGTERM */
  readonly shutdownTimeoutSeconds: number;
}

const RESTART = { baseMs: 1_000, maxMs: 30_000 };
/** a run this long counts as healthy: the next crash restarts after the base delay again */
const HEALTHY_MS = 60_000;
/**
 * The agent's own settings a user may give `npm start` too: `CMD_EXECUTOR_SPAWN_HELPER=off`
 * makes it fork its jobs itself (worker README, Spawn helper); the throughput bench's cycle
 * trace (off unless set).
 */
const PASSED_THROUGH = ['CMD_EXECUTOR_SPAWN_HELPER', 'CMD_EXECUTOR_CYCLE_TRACE'] as const;

/**
 * The embedded default's local worker agent, run as its own process (the worker's CLI) beside
 * the API. Job processes are then forked from a small process rather than from the API's large
 * one (a fork copies the parent's page tables: ~1.6 ms against ~0.9 ms per job here), and the
 * agent's event loop runs beside the API's, on another core, instead of queueing behind it.
 * The token goes through the environment (never argv, which `ps` shows), and none of the API's
 * own settings do. A crashed agent is restarted with backoff; the agent stops by itself when
 * this process is gone (IPC channel).
 */
export function startLocalAgent(opts: LocalAgentOptions): LocalAgent {
  const cli = path.join(path.dirname(require.resolve('@cmd-executor/worker/package.json')), 'dist', 'cli.js');
  const shutdownTimeout = opts.shutdownTimeoutSeconds ?? 30;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restartMs = RESTART.baseMs;
  let restartTimer: NodeJS.Timeout | undefined;

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG,
    TZ: process.env.TZ,
    CMD_EXECUTOR_SERVER: opts.server,
    CMD_EXECUTOR_WORKER_TOKEN: opts.token,
    CMD_EXECUTOR_WORKER_NAME: opts.name,
    CMD_EXECUTOR_LABELS: opts.labels.join(','),
    CMD_EXECUTOR_CONCURRENCY: String(opts.concurrency),
    CMD_EXECUTOR_WORK_DIR: opts.workDir,
    CMD_EXECUTOR_LOG_LEVEL: opts.logLevel,
    CMD_EXECUTOR_SHUTDOWN_TIMEOUT: String(shutdownTimeout),
  };
  for (const name of PASSED_THROUGH) if (process.env[name]) env[name] = process.env[name];

  const launch = (): void => {
    const startedAt = Date.now();
    // Its own process group: a Ctrl-C in the terminal reaches this process only, whose shutdown
    // then stops the agent once (a second signal would cancel running jobs at once).
    const proc = fork(cli, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], detached: true });
    child = proc;
    proc.once('spawn', () => opts.logger.info({ pid: proc.pid, name: opts.name }, 'local worker agent started'));
    proc.once('error', (err) => opts.logger.error({ err }, 'local worker agent could not run'));
    proc.once('exit', (code, signal) => {
      child = undefined;
      if (stopping) return;
      if (Date.now() - startedAt >= HEALTHY_MS) restartMs = RESTART.baseMs;
      opts.logger.error({ code, signal, restartInMs: restartMs }, 'local worker agent exited; restarting it');
      restartTimer = setTimeout(launch, restartMs);
      restartMs = Math.min(RESTART.maxMs, restartMs * 2);
    });
  };
  launch();

  return {
    shutdownTimeoutSeconds: shutdownTimeout,
    get pid() {
      return child?.pid;
    },
    async kill() {
      stopping = true;
      clearTimeout(restartTimer);
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const killTimer = setTimeout(() => proc.kill('SIGKILL'), (shutdownTimeout + 10) * 1000);
      await exited;
      clearTimeout(killTimer);
    },
  };
}
