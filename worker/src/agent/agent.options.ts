import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { LogStreamerOptions } from '../output/log-streamer';
import type { AgentMetricsSink } from './agent-metrics';
import type { SandboxProvider } from '../runner/sandbox.types';
import type { BackoffOptions } from '../util/backoff';

export interface AgentOptions {
  /** the API: http(s)://host:port or ws(s)://host:port/graphql */
  server: string;
  /** worker token (never logged) */
  token: string;
  /** defaults to the worker token's name (the server applies it) */
  name?: string;
  labels?: string[];
  /** jobs run at once */
  concurrency?: number;
  /** per-job directories are created under it */
  workDir?: string;
  /** which sandboxes the agent offers; defaults to `none` only */
  sandboxes?: SandboxProvider;
  killGraceSeconds?: number;
  /** on stop(): how long running jobs may continue before they are stopped */
  shutdownTimeoutSeconds?: number;
  logger?: Logger;
  /** advertised to the server */
  version?: string;
  /**
   * `auto`: job processes are forked by a small Python helper when python3 and /proc allow it
   * (see SpawnHelper), else by the agent; `off`: always by the agent.
   */
  spawnHelper?: 'auto' | 'off';
  /** told about connections and acknowledged log batches (--metrics-port) */
  metrics?: AgentMetricsSink;
  /** tuning (tests) */
  reconnect?: BackoffOptions;
  requestTimeoutMs?: number;
  keepAliveMs?: number;
  streamer?: Partial<LogStreamerOptions>;
}

export const DEFAULTS = {
  server: 'http://127.0.0.1:4000',
  concurrency: 1,
  workDir: path.join(os.tmpdir(), 'cmd-executor-worker'),
  killGraceSeconds: 10,
  shutdownTimeoutSeconds: 30,
  reconnect: { baseMs: 500, maxMs: 30_000 } satisfies BackoffOptions,
  requestTimeoutMs: 30_000,
  keepAliveMs: 10_000,
  /** used until registerWorker says otherwise */
  heartbeatIntervalSeconds: 5,
} as const;
