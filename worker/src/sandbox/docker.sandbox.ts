/**
 * The `docker` sandbox: the job runs in a fresh container (no network, read-only root,
 * private /tmp, no capabilities, an unprivileged uid, memory/pids/CPU limits) with its work
 * dir mounted. The runner spawns the `docker run` client; cancel stops the container itself
 * (killing the client alone would leave it running).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SandboxError,
  type ExitInfo,
  type RunnableJob,
  type Sandbox,
  type SandboxContext,
  type SpawnSpec,
  type WrappedSpawn,
} from '../runner/sandbox.types';
import { buildDockerEnvFile, buildDockerRunArgs, buildDockerStopArgs, buildLeftoverListArgs, containerName } from './docker-args.builder';
import { runHostCommand, type HostCommandRunner } from './host-command';
import { chownTree } from './job-dir';
import { limitExceededMessage, limitFromExit, resolveLimits, type LimitName, type ResourceLimits } from './limits.policy';
import type { UidPool } from './uid-pool';

export const DEFAULT_DOCKER_IMAGE = 'debian:bookworm-slim';

/** Variables of the agent the docker client itself needs (where the engine is, its config). */
const CLIENT_ENV = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY'];

const ENV_FD = 4;

/**
 * `$1`: the env file, opened as fd 4 (which `docker run --env-file /dev/fd/4` reads) and
 * unlinked at once, so the job's secrets stay on disk for milliseconds only; then docker.
 */
export const DOCKER_WRAPPER_SCRIPT = 'exec 4<"$1" || exit 125; rm -f "$1"; shift; exec "$@"';

export interface DockerSandboxConfig {
  dockerPath: string;
  /** labels the agent's containers, so a restarted agent finds what it left */
  agentId: string;
  defaultImage: string;
  limits: ResourceLimits;
  /** `--cpus` (CPU bandwidth); null: unlimited */
  cpus: number | null;
  /** `docker stop --time` on cancel */
  stopGraceSeconds: number;
  /** uids for jobs when the agent is root; null: the agent's own uid */
  uidPool: UidPool | null;
  run?: HostCommandRunner;
  /** runs the wrapper that hands the env file to docker (default /bin/sh) */
  shPath?: string;
  /** the agent's environment (only the docker client's variables are taken from it) */
  agentEnv?: NodeJS.ProcessEnv;
}

export class DockerSandbox implements Sandbox {
  readonly kind = 'DOCKER' as const;
  private readonly run: HostCommandRunner;

  constructor(private readonly config: DockerSandboxConfig) {
    this.run = config.run ?? runHostCommand;
  }

  get dockerPath(): string {
    return this.config.dockerPath;
  }

  async wrap(spec: SpawnSpec, job: RunnableJob, ctx: SandboxContext): Promise<WrappedSpawn> {
    const { config } = this;
    const limits = resolveLimits(config.limits, job.limits);
    let uid: number | null = null;
    const stateDir = await mkdtemp(join(tmpdir(), 'cmd-executor-docker-'));
    try {
      if (config.uidPool) {
        uid = config.uidPool.acquire();
        await chownTree(ctx.jobDir, uid);
      }
      // A suffix keeps a retried wrap of the same attempt from colliding with a container
      // that is still being removed.
      const name = `${containerName(config.agentId, ctx.key)}-${randomBytes(2).toString('hex')}`;
      // Only the job's own variables go into the container (not the runner's host PATH/HOME).
      const envPath = join(stateDir, 'env');
      await writeFile(envPath, buildDockerEnvFile(Object.fromEntries(job.env.map((v) => [v.name, v.value]))), { mode: 0o600 });
      const argv = buildDockerRunArgs({
        name,
        agentId: config.agentId,
        jobKey: ctx.key,
        image: job.image ?? config.defaultImage,
        limits,
        cpus: config.cpus,
        uid: uid ?? process.getuid?.() ?? 0,
        gid: uid ?? process.getgid?.() ?? 0,
        workDir: ctx.jobDir,
        cwd: spec.cwd,
        envFile: `/dev/fd/${ENV_FD}`,
        file: spec.file,
        args: spec.args,
      });
      const wrapper = ['-c', DOCKER_WRAPPER_SCRIPT, 'sh', envPath, config.dockerPath, ...argv];
      return new DockerRun(this.run, config, name, limits, uid, stateDir, clientEnv(config.agentEnv ?? process.env), wrapper, ctx).wrapped();
    } catch (err) {
      if (uid !== null) config.uidPool?.release(uid);
      await rm(stateDir, { recursive: true, force: true });
      throw err instanceof SandboxError ? err : new SandboxError(`docker sandbox setup failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Removes containers a crashed run of this agent left behind. Returns their ids. */
  async removeLeftovers(): Promise<string[]> {
    const list = await this.run(this.config.dockerPath, buildLeftoverListArgs(this.config.agentId));
    if (!list.ok) throw new SandboxError(`docker ps failed: ${list.stderr.trim()}`);
    const ids = list.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    if (ids.length) {
      const rm = await this.run(this.config.dockerPath, ['rm', '--force', ...ids]);
      if (!rm.ok) throw new SandboxError(`docker rm failed: ${rm.stderr.trim()}`);
    }
    return ids;
  }
}

/**
 * The docker client's environment: only what it needs from the agent. Nothing of the job's:
 * a job's LD_PRELOAD or DOCKER_HOST must not steer a client that runs as the agent.
 */
export function clientEnv(agentEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of CLIENT_ENV) {
    const value = agentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

class DockerRun {
  private stopping: Promise<void> | null = null;
  private cleaned = false;

  constructor(
    private readonly run: HostCommandRunner,
    private readonly config: DockerSandboxConfig,
    private readonly name: string,
    private readonly limits: ResourceLimits,
    private readonly uid: number | null,
    private readonly stateDir: string,
    private readonly env: Record<string, string>,
    private readonly argv: string[],
    private readonly ctx: SandboxContext,
  ) {}

  wrapped(): WrappedSpawn {
    return {
      spec: { file: this.config.shPath ?? '/bin/sh', args: this.argv, env: this.env, cwd: this.ctx.jobDir },
      container: this.name,
      stop: () => this.stop(),
      classifyExit: (res) => this.classify(res),
      cleanup: () => this.cleanup(),
    };
  }

  /** `docker stop` (SIGTERM, grace, SIGKILL inside the engine), `docker kill` if that fails. */
  private stop(): Promise<void> {
    this.stopping ??= (async () => {
      const stop = await this.run(this.config.dockerPath, buildDockerStopArgs(this.name, this.config.stopGraceSeconds), (this.config.stopGraceSeconds + 15) * 1000);
      if (stop.ok || /No such container/i.test(stop.stderr)) return;
      const kill = await this.run(this.config.dockerPath, ['kill', this.name]);
      if (!kill.ok && !/No such container|is not running/i.test(kill.stderr)) {
        this.ctx.logger.warn({ container: this.name, stderr: kill.stderr.trim() }, 'could not stop the job container');
      }
    })();
    return this.stopping;
  }

  /**
   * With `--rm` the container (and its OOMKilled flag) is gone when the client returns, so
   * a SIGKILL status (137) the agent did not cause is read as the memory cgroup's OOM kill.
   */
  private classify(res: ExitInfo): string | undefined {
    let hit: LimitName | null = limitFromExit(res, this.limits);
    if (!hit && !this.stopping && this.limits.memoryMb !== null && res.exitCode === 137) hit = 'memoryMb';
    return hit ? limitExceededMessage(hit, this.limits) : undefined;
  }

  private async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    try {
      // --rm removes it when the client saw the end; not when the client was killed first.
      const rm = await this.run(this.config.dockerPath, ['rm', '--force', this.name]);
      if (!rm.ok && !/No such container/i.test(rm.stderr)) throw new SandboxError(`docker rm ${this.name} failed: ${rm.stderr.trim()}`);
    } finally {
      if (this.uid !== null) this.config.uidPool?.release(this.uid);
      await rm(this.stateDir, { recursive: true, force: true });
    }
  }
}
