/**
 * The agent's sandbox options (each with an environment variable fallback) and their parsing
 * into a typed configuration.
 */
import { Option, type Command } from 'commander';
import { SandboxError, type SandboxKind } from '../runner/sandbox.types';
import { DEFAULT_DOCKER_IMAGE } from './docker.sandbox';
import { DEFAULT_AGENT_LIMITS, parseLimitOption, type ResourceLimits } from './limits.policy';
import { parseSandboxKind } from './sandbox-choice.policy';
import { DEFAULT_UID_BASE } from './uid-pool';

export interface SandboxOptions {
  defaultKind: SandboxKind;
  limits: ResourceLimits;
  /** delegated cgroup v2 directory for job cgroups (null: find one, else rlimits) */
  cgroupParent: string | null;
  uidBase: number;
  dockerImage: string;
  dockerCpus: number | null;
  /** labels containers; the worker name, stable across restarts */
  agentId: string;
  /** docker stop grace on cancel */
  stopGraceSeconds: number;
}

const show = (n: number | null) => (n === null ? 'unlimited' : String(n));

export function addSandboxOptions(program: Command): void {
  program
    .addOption(
      new Option('--sandbox <kind>', 'how jobs are isolated by default; a job may ask for a stronger one')
        .env('CMD_EXECUTOR_SANDBOX')
        .choices(['none', 'namespace', 'docker'])
        .default('none'),
    )
    .addOption(
      new Option('--memory-limit <MiB>', 'memory per sandboxed job (0: unlimited); jobs may ask for less')
        .env('CMD_EXECUTOR_MEMORY_LIMIT')
        .default(show(DEFAULT_AGENT_LIMITS.memoryMb)),
    )
    .addOption(
      new Option('--pids-limit <n>', 'processes and threads per sandboxed job (0: unlimited); jobs may ask for less')
        .env('CMD_EXECUTOR_PIDS_LIMIT')
        .default(show(DEFAULT_AGENT_LIMITS.pids)),
    )
    .addOption(
      new Option('--cpu-time-limit <seconds>', 'CPU time per process of a sandboxed job (0: unlimited); jobs may ask for less')
        .env('CMD_EXECUTOR_CPU_TIME_LIMIT')
        .default(show(DEFAULT_AGENT_LIMITS.cpuSeconds)),
    )
    .addOption(
      new Option('--file-size-limit <MiB>', 'largest file a sandboxed job may write (0: unlimited); jobs may ask for less')
        .env('CMD_EXECUTOR_FILE_SIZE_LIMIT')
        .default(show(DEFAULT_AGENT_LIMITS.fileSizeMb)),
    )
    .addOption(
      new Option('--cgroup-parent <dir>', 'delegated cgroup v2 directory for per-job cgroups (default: the agent’s own cgroup when delegated, else rlimits)')
        .env('CMD_EXECUTOR_CGROUP_PARENT'),
    )
    .addOption(
      new Option('--sandbox-uid-base <uid>', 'when the agent runs as root, sandboxed jobs run as uids from here (65536 of them), one per running job')
        .env('CMD_EXECUTOR_SANDBOX_UID_BASE')
        .default(String(DEFAULT_UID_BASE)),
    )
    .addOption(
      new Option('--docker-image <image>', 'image for docker-sandboxed jobs that name none').env('CMD_EXECUTOR_DOCKER_IMAGE').default(DEFAULT_DOCKER_IMAGE),
    )
    .addOption(
      new Option('--docker-cpus <n>', 'CPUs a docker-sandboxed job may use (docker --cpus; 0: unlimited)').env('CMD_EXECUTOR_DOCKER_CPUS').default('unlimited'),
    );
}

/** Typed options from commander's `program.opts()`; throws SandboxError on a bad value. */
export function parseSandboxOptions(opts: Record<string, unknown>): SandboxOptions {
  const uidBase = parseLimitOption('sandbox-uid-base', opts.sandboxUidBase);
  const cpus = String(opts.dockerCpus ?? 'unlimited').trim().toLowerCase();
  const dockerCpus = cpus === 'unlimited' || cpus === '0' ? null : Number(cpus);
  if (dockerCpus !== null && !(dockerCpus > 0)) {
    throw new SandboxError(`invalid --docker-cpus "${String(opts.dockerCpus)}": expected a positive number or 0`);
  }
  const grace = Number(opts.killGrace ?? 10);
  return {
    defaultKind: parseSandboxKind(opts.sandbox ?? 'none'),
    limits: {
      memoryMb: parseLimitOption('memory-limit', opts.memoryLimit),
      pids: parseLimitOption('pids-limit', opts.pidsLimit),
      cpuSeconds: parseLimitOption('cpu-time-limit', opts.cpuTimeLimit),
      fileSizeMb: parseLimitOption('file-size-limit', opts.fileSizeLimit),
    },
    cgroupParent: typeof opts.cgroupParent === 'string' && opts.cgroupParent ? opts.cgroupParent : null,
    uidBase: uidBase ?? DEFAULT_UID_BASE,
    dockerImage: String(opts.dockerImage ?? DEFAULT_DOCKER_IMAGE),
    dockerCpus,
    agentId: String(opts.name ?? 'worker'),
    stopGraceSeconds: Number.isFinite(grace) && grace >= 0 ? Math.ceil(grace) : 10,
  };
}
