/**
 * The seam between the job runner and sandboxes (issue 5).
 *
 * The runner builds a {@link SpawnSpec} from the job (plain process, no isolation), asks the
 * {@link SandboxProvider} for the job's {@link Sandbox}, lets it `wrap` the spec (e.g. into a
 * `bwrap …` or `docker run …` command line), spawns the wrapped spec in its own process
 * group, and on exit asks the sandbox to name a limit that was hit (`classifyExit`).
 *
 * The sandbox module (`worker/src/sandbox/index.ts`) exports a {@link SandboxModule}; the
 * `none` sandbox lives in `worker/src/runner/none.sandbox.ts`.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';

export type SandboxKind = 'NONE' | 'NAMESPACE' | 'DOCKER';

/** What to exec: no shell unless `file` is a shell. `env` is the complete environment. */
export interface SpawnSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** absolute host path; exists when the spec is handed to a sandbox */
  cwd: string;
}

/** Per-job limits as sent by the API (null/undefined: the agent's default). */
export interface JobLimits {
  memoryMb?: number | null;
  pids?: number | null;
  cpuSeconds?: number | null;
  fileSizeMb?: number | null;
}

export interface JobEnvVar {
  name: string;
  /** secret values included (they come only to the assigned worker) */
  value: string;
  secret: boolean;
}

/** The agent's view of one assigned attempt. */
export interface RunnableJob {
  jobId: string;
  attempt: number;
  command: string;
  /** given: exec `command` with `args`, no shell; null: `/bin/sh -c command` */
  args: string[] | null;
  env: JobEnvVar[];
  /** the job's requested cwd (null: the per-job directory) */
  cwd: string | null;
  timeoutSeconds: number | null;
  /** sandbox the job asks for (null: the worker's default); it may only narrow */
  sandbox: SandboxKind | null;
  /** docker image (sandbox DOCKER) */
  image: string | null;
  limits: JobLimits | null;
  /**
   * When the assignment's lease runs out unless startJob renews it (absent: unknown). Until
   * then no other worker can hold this attempt, which lets the runner spawn without waiting
   * for startJob's answer.
   */
  leaseExpiresAt?: Date | null;
}

export interface SandboxContext {
  /** the per-job directory under --work-dir on the host (created; removed by the runner after cleanup) */
  jobDir: string;
  /** `jobId/attempt`, for labels and names */
  key: string;
  logger: Logger;
}

export interface ExitInfo {
  exitCode: number | null;
  /** signal name, e.g. 'SIGKILL' */
  signal: string | null;
}

export interface WrappedSpawn {
  spec: SpawnSpec;
  /** runs once after the process exited (or failed to spawn); errors are logged, not fatal */
  cleanup?(): Promise<void>;
  /**
   * Extra stop step on cancel/timeout, run after SIGTERM was sent to the process group
   * (e.g. `docker stop` the container — killing the client is not enough). May be called twice.
   */
  stop?(): Promise<void>;
  /**
   * A container that runs the job apart from the spawned client: the agent's guardian removes
   * it should the agent die (killing the client would leave it running).
   */
  container?: string;
  /** a limit the process hit, e.g. "memory limit 512 MiB exceeded"; undefined: ordinary exit */
  classifyExit?(res: ExitInfo): string | undefined | Promise<string | undefined>;
}

export interface Sandbox {
  readonly kind: SandboxKind;
  wrap(spec: SpawnSpec, job: RunnableJob, ctx: SandboxContext): Promise<WrappedSpawn>;
}

/** Thrown by `select`/`wrap` when a job cannot run here; the runner reports it as the job's `error`. */
export class SandboxError extends Error {
  readonly code = 'SANDBOX';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxError';
  }
}

/** The sandboxes one agent offers. */
export interface SandboxProvider {
  /** kinds this agent can run, advertised in registerWorker (always includes the default) */
  readonly kinds: SandboxKind[];
  /** the worker's --sandbox */
  readonly defaultKind: SandboxKind;
  /** the sandbox for a job (its request if it narrows and is available); throws SandboxError otherwise */
  select(job: RunnableJob): Sandbox;
  /** the docker client the agent's guardian removes job containers with, when this agent runs any */
  readonly dockerPath?: string;
  /** called once on agent start (e.g. remove containers left by a crashed agent) */
  start?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * What `worker/src/sandbox/index.ts` exports so the CLI can plug it in:
 * `addSandboxOptions` adds `--sandbox` (and limit options, each with env fallback) to the
 * commander program; `createSandboxProvider` builds the provider from the parsed options
 * (`program.opts()`), checking what the host supports (bwrap usable, `docker info`).
 */
export interface SandboxModule {
  addSandboxOptions(program: Command): void;
  createSandboxProvider(opts: Record<string, unknown>, logger: Logger): Promise<SandboxProvider>;
}
