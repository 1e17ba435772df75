/**
 * Resource limits of one sandboxed job: the agent sets a ceiling per limit, a job may only
 * lower it. Pure rules, no I/O.
 */
import { SandboxError, type ExitInfo, type JobLimits } from '../runner/sandbox.types';

/** Effective limits; `null` means unlimited. */
export interface ResourceLimits {
  memoryMb: number | null;
  pids: number | null;
  cpuSeconds: number | null;
  fileSizeMb: number | null;
}

export type LimitName = keyof ResourceLimits;

export const LIMIT_NAMES: readonly LimitName[] = ['memoryMb', 'pids', 'cpuSeconds', 'fileSizeMb'];

/** The agent's defaults when no option is given. CPU time is unlimited: long builds are normal. */
export const DEFAULT_AGENT_LIMITS: ResourceLimits = {
  memoryMb: 1024,
  pids: 256,
  cpuSeconds: null,
  fileSizeMb: 1024,
};

/**
 * The job's limits: each one is the job's value when it is lower than the agent's, else the
 * agent's. A job cannot raise a limit (its higher value is ignored, the agent's ceiling
 * stays) nor remove one; a value that is not a positive integer is refused.
 */
export function resolveLimits(agent: ResourceLimits, job: JobLimits | null | undefined): ResourceLimits {
  const out: ResourceLimits = { ...agent };
  if (!job) return out;
  for (const name of LIMIT_NAMES) {
    const wanted = job[name];
    if (wanted === null || wanted === undefined) continue;
    if (!Number.isInteger(wanted) || wanted <= 0) {
      throw new SandboxError(`invalid limit ${name}=${String(wanted)}: expected a positive integer`);
    }
    const ceiling = agent[name];
    out[name] = ceiling === null ? wanted : Math.min(ceiling, wanted);
  }
  return out;
}

/** The `error` a job gets when it hit a limit, e.g. "memory limit 512 MiB exceeded". */
export function limitExceededMessage(name: LimitName, limits: ResourceLimits): string {
  const value = limits[name];
  switch (name) {
    case 'memoryMb':
      return `memory limit ${value} MiB exceeded`;
    case 'pids':
      return `process limit ${value} exceeded`;
    case 'cpuSeconds':
      return `CPU time limit ${value} s exceeded`;
    case 'fileSizeMb':
      return `file size limit ${value} MiB exceeded`;
    default: {
      const never: never = name;
      return never;
    }
  }
}

/**
 * Parses a limit option: a positive integer, or 0 / "unlimited" / "none" for no limit.
 * Throws on anything else so a typo in the agent's configuration stops it at start.
 */
export function parseLimitOption(name: string, raw: unknown): number | null {
  if (raw === undefined || raw === null) return null;
  const text = String(raw).trim().toLowerCase();
  if (text === '0' || text === 'unlimited' || text === 'none') return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    throw new SandboxError(`invalid --${name} "${String(raw)}": expected a positive integer, 0 or "unlimited"`);
  }
  return n;
}

const SIGXCPU = 24;
const SIGXFSZ = 25;

/**
 * The limit an exit status shows: SIGXCPU / SIGXFSZ, either as the process's signal or as
 * the 128+n status that bwrap and shells report for a child killed by a signal.
 */
export function limitFromExit(res: ExitInfo, limits: ResourceLimits): LimitName | null {
  const bySignal = (name: string, n: number) => res.signal === name || res.exitCode === 128 + n;
  if (limits.cpuSeconds !== null && bySignal('SIGXCPU', SIGXCPU)) return 'cpuSeconds';
  if (limits.fileSizeMb !== null && bySignal('SIGXFSZ', SIGXFSZ)) return 'fileSizeMb';
  return null;
}
