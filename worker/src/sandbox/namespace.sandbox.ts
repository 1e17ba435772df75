/**
 * The `namespace` sandbox: the job runs under bubblewrap with its own user, pid, network,
 * ipc and uts namespaces, the host root read-only, a private writable work dir, /tmp and
 * /dev/shm, and resource limits.
 *
 * What runs, outermost first (one process: each step execs the next), with an environment
 * of its own (SETUP_ENV) — the job's variables reach only the job, through bwrap's --args:
 *   sh       puts itself into the job's cgroup (cgroup mode), opens bwrap's info and args files
 *   prlimit  sets the rlimits (CPU time, file size; process count and data size without cgroups)
 *   setpriv  only when the agent is root: switches to a uid of the job's own (see UidPool)
 *   bwrap    builds the namespaces and runs the command
 *
 * Limits are enforced by a cgroup v2 child per job when the host delegates one (memory.max,
 * pids.max), else by rlimits plus a monitor that watches the job's pid namespace and kills
 * it at its memory or process limit (see NsProcessMonitor).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  SandboxError,
  type ExitInfo,
  type RunnableJob,
  type Sandbox,
  type SandboxContext,
  type SpawnSpec,
  type WrappedSpawn,
} from '../runner/sandbox.types';
import { buildBwrapArgs, buildBwrapEnvArgs } from './bwrap-args.builder';
import { pidsCgroupName, PidsCgroupV1 } from './cgroup-v1-pids';
import { CgroupPidsWatch, JobCgroup, limitFromEvents } from './cgroup-v2';
import { assertReachable, chownTree } from './job-dir';
import { limitExceededMessage, limitFromExit, resolveLimits, type LimitName, type ResourceLimits } from './limits.policy';
import { countUidTasks, NsProcessMonitor } from './ns-process-monitor';
import { buildPrlimitArgs, MIB } from './prlimit-args.builder';
import type { UidPool } from './uid-pool';

/** Processes of the job's uid that are the sandbox, not the job: bwrap and its pid-1 init. */
export const BWRAP_OWN_PROCESSES = 2;

/**
 * RLIMIT_DATA per process, a backstop for when the monitor (which acts at 1× the limit)
 * samples too late: a process allocating gigabytes per second could otherwise take the
 * host's memory between two samples. Generous, so that an ordinary fast allocator is still
 * caught by the monitor — and told which limit it hit — rather than failing on its own.
 */
export function dataBackstopBytes(memoryMb: number): number {
  return (memoryMb * 2 + 1024) * MIB;
}

const INFO_FD = 3;
const ARGS_FD = 4;

/** The environment of the setup programs: nothing of the job's (see buildBwrapEnvArgs). */
export const SETUP_ENV: Readonly<Record<string, string>> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

/**
 * `$1`: the job's cgroup directory or ''; `$2`: where bwrap writes its info (fd 3); `$3`: the
 * file with bwrap's environment arguments (fd 4), unlinked as soon as it is open so the
 * job's secrets stay on disk for milliseconds only; then the command.
 * Joining the cgroup before exec means every process of the job is born inside it.
 */
export const WRAPPER_SCRIPT =
  '[ -z "$1" ] || echo $$ > "$1/cgroup.procs" || exit 125; exec 3>"$2" 4<"$3" || exit 125; rm -f "$3"; shift 3; exec "$@"';

export interface NamespaceSandboxConfig {
  bwrapPath: string;
  prlimitPath: string;
  setprivPath: string;
  shPath: string;
  /** bwrap supports --disable-userns */
  disableUserns: boolean;
  /** the agent's limits (ceilings for jobs) */
  limits: ResourceLimits;
  /** delegated cgroup v2 directory for job cgroups; null: rlimits + monitor */
  cgroupParent: string | null;
  /**
   * without cgroup v2: a cgroup v1 pids directory for per-job pids cgroups (the process limit
   * is then exact, and a refused fork is seen even when the job exits 0 afterwards)
   */
  pidsCgroupParent?: string | null;
  /** uids for jobs when the agent is root; null: jobs keep the agent's uid */
  uidPool: UidPool | null;
  monitorIntervalMs?: number;
}

export class NamespaceSandbox implements Sandbox {
  readonly kind = 'NAMESPACE' as const;

  constructor(private readonly config: NamespaceSandboxConfig) {}

  async wrap(spec: SpawnSpec, job: RunnableJob, ctx: SandboxContext): Promise<WrappedSpawn> {
    const { config } = this;
    const limits = resolveLimits(config.limits, job.limits);
    const stateDir = await mkdtemp(join(tmpdir(), 'cmd-executor-ns-'));
    const infoPath = join(stateDir, 'bwrap-info.json');
    const envPath = join(stateDir, 'bwrap-env');
    let uid: number | null = null;
    let cgroup: JobCgroup | null = null;
    let pidsCgroup: PidsCgroupV1 | null = null;
    try {
      if (config.uidPool) {
        uid = config.uidPool.acquire();
        await assertReachable(ctx.jobDir);
        await chownTree(ctx.jobDir, uid);
      }
      if (config.cgroupParent) {
        const name = `job-${ctx.key.replace(/[^A-Za-z0-9_.-]/g, '_')}-${randomBytes(3).toString('hex')}`;
        cgroup = await JobCgroup.create(config.cgroupParent, name, limits);
      } else if (config.pidsCgroupParent && limits.pids !== null) {
        const name = pidsCgroupName(ctx.key, randomBytes(3).toString('hex'));
        // counted like RLIMIT_NPROC below: the job's processes plus bwrap and its init
        pidsCgroup = await PidsCgroupV1.create(config.pidsCgroupParent, name, limits.pids + BWRAP_OWN_PROCESSES);
      }
      await writeFile(envPath, buildBwrapEnvArgs(spec.env), { mode: 0o600 });
      const argv = [
        '-c',
        WRAPPER_SCRIPT,
        'sh',
        cgroup?.dir ?? pidsCgroup?.dir ?? '',
        infoPath,
        envPath,
        config.prlimitPath,
        ...buildPrlimitArgs({
          limits,
          // With a pids cgroup RLIMIT_NPROC must stay off: it would refuse the fork first,
          // and the cgroup would never count it.
          nproc: cgroup || pidsCgroup ? null : await this.nproc(limits, uid),
          dataBytes: cgroup || limits.memoryMb === null ? null : dataBackstopBytes(limits.memoryMb),
        }),
        ...(uid === null ? [] : [config.setprivPath, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--']),
        config.bwrapPath,
        ...buildBwrapArgs({
          file: spec.file,
          args: spec.args,
          workDir: ctx.jobDir,
          cwd: spec.cwd,
          tmpfsBytes: limits.memoryMb === null ? null : limits.memoryMb * MIB,
          infoFd: INFO_FD,
          argsFd: ARGS_FD,
          disableUserns: config.disableUserns,
        }),
      ];
      return new NamespaceRun(argv, spec, limits, stateDir, infoPath, cgroup, pidsCgroup, uid, config, ctx).wrapped();
    } catch (err) {
      if (uid !== null) config.uidPool?.release(uid);
      await cgroup?.remove().catch(() => undefined);
      await pidsCgroup?.remove().catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
      throw err instanceof SandboxError ? err : new SandboxError(`namespace sandbox setup failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * RLIMIT_NPROC counts every task of the uid on the machine. With a uid of the job's own
   * that is the job plus bwrap; without one (agent not root) the agent's other processes
   * count too, so the limit is raised by what runs under that uid right now (approximate:
   * other jobs starting or ending later shift it).
   */
  private async nproc(limits: ResourceLimits, uid: number | null): Promise<number | null> {
    if (limits.pids === null) return null;
    const others = uid === null ? await countUidTasks(process.getuid?.() ?? 0) : 0;
    return limits.pids + BWRAP_OWN_PROCESSES + others;
  }
}

/** One wrapped job: its monitor, classification and cleanup. */
class NamespaceRun {
  private readonly monitor: NsProcessMonitor | null;
  private readonly pidsWatch: CgroupPidsWatch | null;
  private cleaned = false;

  constructor(
    private readonly argv: string[],
    private readonly spec: SpawnSpec,
    private readonly limits: ResourceLimits,
    private readonly stateDir: string,
    private readonly infoPath: string,
    private readonly cgroup: JobCgroup | null,
    private readonly pidsCgroup: PidsCgroupV1 | null,
    private readonly uid: number | null,
    private readonly config: NamespaceSandboxConfig,
    private readonly ctx: SandboxContext,
  ) {
    if (cgroup) {
      this.monitor = null;
      this.pidsWatch = limits.pids === null ? null : new CgroupPidsWatch(cgroup, config.monitorIntervalMs ?? 200);
      this.pidsWatch?.start();
    } else {
      const monitor = new NsProcessMonitor({
        readInfo: () => this.readInfo(),
        memoryMb: limits.memoryMb,
        // a pids cgroup counts exactly what sampling could only guess
        pids: pidsCgroup ? null : limits.pids,
        intervalMs: config.monitorIntervalMs,
        onError: (err) => ctx.logger.warn({ err }, 'sandbox monitor failed to sample the job'),
      });
      this.monitor = monitor;
      if (limits.memoryMb !== null || (limits.pids !== null && !pidsCgroup)) monitor.start();
      this.pidsWatch = pidsCgroup
        ? new CgroupPidsWatch(
            {
              refusedForks: () => pidsCgroup.refusedForks(),
              // the namespace's init takes every process of the job with it at once
              kill: async () => {
                await monitor.killAll();
                await pidsCgroup.kill();
              },
            },
            config.monitorIntervalMs ?? 100,
          )
        : null;
      this.pidsWatch?.start();
    }
  }

  wrapped(): WrappedSpawn {
    return {
      spec: { file: this.config.shPath, args: this.argv, env: { ...SETUP_ENV }, cwd: this.spec.cwd },
      stop: () => this.stop(),
      classifyExit: (res) => this.classify(res),
      cleanup: () => this.cleanup(),
    };
  }

  private async readInfo(): Promise<{ childPid: number } | null> {
    try {
      const info = JSON.parse(await readFile(this.infoPath, 'utf8')) as { 'child-pid'?: number };
      return typeof info['child-pid'] === 'number' ? { childPid: info['child-pid'] } : null;
    } catch {
      return null; // not written yet (or only partly)
    }
  }

  private async stop(): Promise<void> {
    // Signals to bwrap do not reach the job (it has its own session and pid namespace);
    // bwrap's death takes the namespace down (--die-with-parent), and this makes sure of it.
    if (this.cgroup) await this.cgroup.kill();
    else await this.monitor?.killAll();
    await this.pidsCgroup?.kill();
  }

  private async classify(res: ExitInfo): Promise<string | undefined> {
    this.monitor?.stop();
    this.pidsWatch?.stop();
    let hit: LimitName | null = this.monitor?.exceeded ?? this.pidsWatch?.exceeded ?? null;
    if (!hit && this.cgroup) hit = limitFromEvents(await this.cgroup.events());
    // a fork refused at the limit counts even when the job went on and exited 0
    if (!hit && this.pidsCgroup && (await this.pidsCgroup.refusedForks()) > 0) hit = 'pids';
    hit ??= limitFromExit(res, this.limits);
    if (this.monitor && (this.monitor.peak.memoryBytes || this.monitor.peak.tasks)) {
      this.ctx.logger.debug({ peak: this.monitor.peak, limits: this.limits }, 'sandbox peak usage');
    }
    return hit ? limitExceededMessage(hit, this.limits) : undefined;
  }

  private async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    this.monitor?.stop();
    this.pidsWatch?.stop();
    const steps: Array<Promise<unknown>> = [rm(this.stateDir, { recursive: true, force: true })];
    if (this.cgroup) steps.push(this.cgroup.remove());
    if (this.pidsCgroup) steps.push(this.pidsCgroup.remove());
    const results = await Promise.allSettled(steps);
    if (this.uid !== null) this.config.uidPool?.release(this.uid);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
