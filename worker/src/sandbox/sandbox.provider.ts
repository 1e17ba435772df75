/**
 * The sandboxes one agent offers: detected at start, chosen per job.
 */
import type { Logger } from 'pino';
import { NoneSandbox } from '../runner/none.sandbox';
import { SandboxError, type RunnableJob, type Sandbox, type SandboxKind, type SandboxProvider } from '../runner/sandbox.types';
import { findPidsCgroupV1Parent, removeOrphanPidsCgroups } from './cgroup-v1-pids';
import { findCgroupParent } from './cgroup-v2';
import { detectSandboxes, type SandboxDetection } from './detect';
import { DockerSandbox } from './docker.sandbox';
import { NamespaceSandbox } from './namespace.sandbox';
import { chooseSandboxKind, isAtLeastAsStrong, SANDBOX_KINDS } from './sandbox-choice.policy';
import { parseSandboxOptions, type SandboxOptions } from './sandbox.options';
import { DEFAULT_UID_COUNT, UidPool } from './uid-pool';

/** Which mechanism enforces the namespace sandbox's limits on this host, and why. */
export type LimitBackend =
  | { kind: 'cgroup-v2'; parent: string }
  /** no cgroup v2: rlimits and the monitor for memory, a cgroup v1 pids controller for processes */
  | { kind: 'cgroup-v1-pids'; pidsParent: string; reason: string }
  | { kind: 'rlimits'; reason: string };

export class HostSandboxProvider implements SandboxProvider {
  readonly kinds: SandboxKind[];
  readonly dockerPath: string | undefined;

  constructor(
    readonly defaultKind: SandboxKind,
    private readonly sandboxes: ReadonlyMap<SandboxKind, Sandbox>,
    private readonly docker: DockerSandbox | null,
    private readonly logger: Logger,
    /** where this agent makes job pids cgroups (v1), to clear what a killed predecessor left */
    private readonly pidsCgroupParent: string | null = null,
  ) {
    // Advertise only what a job may get here: a job asking for a weaker kind than the
    // default would be refused, so the API must not route it to this worker.
    this.kinds = SANDBOX_KINDS.filter((k) => sandboxes.has(k) && isAtLeastAsStrong(k, defaultKind));
    this.dockerPath = docker?.dockerPath;
  }

  select(job: RunnableJob): Sandbox {
    const kind = chooseSandboxKind(this.defaultKind, this.kinds, job.sandbox);
    return this.sandboxes.get(kind)!;
  }

  async start(): Promise<void> {
    if (this.pidsCgroupParent) {
      const removed = await removeOrphanPidsCgroups(this.pidsCgroupParent);
      if (removed) this.logger.info({ removed }, 'removed job pids cgroups left by agents that are gone');
    }
    if (!this.docker) return;
    try {
      const removed = await this.docker.removeLeftovers();
      if (removed.length) this.logger.warn({ containers: removed }, 'removed job containers left by an earlier run of this agent');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not look for leftover job containers');
    }
  }
}

export async function createHostSandboxProvider(
  options: SandboxOptions,
  logger: Logger,
  detection?: SandboxDetection,
): Promise<HostSandboxProvider> {
  const found = detection ?? (await detectSandboxes());
  const unavailable = (kind: SandboxKind): string | null => {
    if (kind === 'NAMESPACE' && !found.namespace.ok) return found.namespace.reason;
    if (kind === 'DOCKER' && !found.docker.ok) return found.docker.reason;
    return null;
  };
  const why = unavailable(options.defaultKind);
  if (why) throw new SandboxError(`--sandbox ${options.defaultKind.toLowerCase()} is not available on this host: ${why}`);

  const uidPool = process.getuid?.() === 0 ? new UidPool(options.uidBase, DEFAULT_UID_COUNT) : null;
  const sandboxes = new Map<SandboxKind, Sandbox>([['NONE', new NoneSandbox()]]);
  let pidsCgroupParent: string | null = null;
  if (found.namespace.ok) {
    const backend = await chooseLimitBackend(options.cgroupParent);
    pidsCgroupParent = backend.kind === 'cgroup-v1-pids' ? backend.pidsParent : null;
    logger.info(
      backend.kind === 'cgroup-v2'
        ? { limits: options.limits, cgroup: backend.parent }
        : {
            limits: options.limits,
            enforcement: backend.kind === 'cgroup-v1-pids' ? `rlimits + namespace monitor; processes: pids cgroup under ${backend.pidsParent}` : 'rlimits + namespace monitor',
            why: backend.reason,
            perJobUid: uidPool !== null,
          },
      'namespace sandbox available',
    );
    sandboxes.set(
      'NAMESPACE',
      new NamespaceSandbox({
        ...found.namespace.paths,
        limits: options.limits,
        cgroupParent: backend.kind === 'cgroup-v2' ? backend.parent : null,
        pidsCgroupParent,
        uidPool,
      }),
    );
  } else {
    logger.info({ why: found.namespace.reason }, 'namespace sandbox not available');
  }
  let docker: DockerSandbox | null = null;
  if (found.docker.ok) {
    docker = new DockerSandbox({
      dockerPath: found.docker.dockerPath,
      agentId: options.agentId,
      defaultImage: options.dockerImage,
      limits: options.limits,
      cpus: options.dockerCpus,
      stopGraceSeconds: options.stopGraceSeconds,
      uidPool,
    });
    sandboxes.set('DOCKER', docker);
  } else {
    logger.info({ why: found.docker.reason }, 'docker sandbox not available');
  }
  return new HostSandboxProvider(options.defaultKind, sandboxes, docker, logger, pidsCgroupParent);
}

/**
 * cgroup v2 when a delegated one is usable, else rlimits (with the reason, for the log) — and
 * then a cgroup v1 pids controller for the process limit where this agent may write one.
 */
export async function chooseLimitBackend(configured: string | null): Promise<LimitBackend> {
  const found = await findCgroupParent(configured);
  if (found.dir !== null) return { kind: 'cgroup-v2', parent: found.dir };
  const pids = await findPidsCgroupV1Parent();
  if (pids.dir !== null) return { kind: 'cgroup-v1-pids', pidsParent: pids.dir, reason: found.reason };
  return { kind: 'rlimits', reason: `${found.reason}; ${pids.reason}` };
}

/** `SandboxModule.createSandboxProvider`: commander options → provider. */
export async function createSandboxProvider(opts: Record<string, unknown>, logger: Logger): Promise<SandboxProvider> {
  return createHostSandboxProvider(parseSandboxOptions(opts), logger);
}
