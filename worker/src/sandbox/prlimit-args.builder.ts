/**
 * rlimits for a sandboxed job, as `prlimit` (util-linux) arguments. Pure.
 *
 * rlimits are per process (CPU time, file size, address space) or per real uid across the
 * machine (process count), so they are the fallback when no cgroup can be used; see
 * `namespace.sandbox.ts` for how the per-uid count is made per-job.
 */
import type { ResourceLimits } from './limits.policy';

export const MIB = 1024 * 1024;

/** Seconds between SIGXCPU (soft limit, catchable) and SIGKILL (hard limit). */
export const CPU_HARD_GRACE_SECONDS = 2;

export interface PrlimitInput {
  limits: ResourceLimits;
  /** RLIMIT_NPROC to set (already adjusted for processes the sandbox itself runs); null: none */
  nproc: number | null;
  /**
   * RLIMIT_DATA per process, a backstop against one process allocating faster than the
   * memory monitor samples (null: none)
   */
  dataBytes: number | null;
}

/** `prlimit` flags, ending in `--` (the command follows). */
export function buildPrlimitArgs(input: PrlimitInput): string[] {
  const { limits } = input;
  const argv: string[] = [
    // SIGXCPU/SIGXFSZ dump core by default: keep cores out of the job's directory.
    '--core=0',
  ];
  if (limits.cpuSeconds !== null) {
    argv.push(`--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + CPU_HARD_GRACE_SECONDS}`);
  }
  if (limits.fileSizeMb !== null) argv.push(`--fsize=${limits.fileSizeMb * MIB}`);
  if (input.nproc !== null) argv.push(`--nproc=${input.nproc}`);
  if (input.dataBytes !== null) argv.push(`--data=${input.dataBytes}`);
  argv.push('--');
  return argv;
}
