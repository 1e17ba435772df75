/**
 * cgroup v2 limits for sandboxed jobs: one child cgroup per job under a delegated parent,
 * with memory.max, memory.swap.max, memory.oom.group and pids.max. The kernel enforces them
 * for the whole job at once (unlike per-process rlimits), and memory.events / pids.events
 * say afterwards which limit was hit.
 */
import { access, constants, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from '../runner/sandbox.types';
import type { LimitName, ResourceLimits } from './limits.policy';
import { MIB } from './prlimit-args.builder';

const CGROUP_ROOT = '/sys/fs/cgroup';
const REQUIRED_CONTROLLERS = ['memory', 'pids'] as const;

/** Why the cgroup backend is not used, or the parent directory job cgroups go under. */
export type CgroupParentResult = { dir: string } | { dir: null; reason: string };

/**
 * Finds a cgroup v2 directory this agent may create job cgroups under.
 *
 * With `configured` (the agent's `--cgroup-parent`) that directory must already be a
 * delegated cgroup v2 directory with the memory and pids controllers; anything else is an
 * error. Without it the agent tries its own cgroup (systemd `Delegate=yes`, or a container
 * with a private writable cgroup namespace): it moves the processes there into a leaf
 * `agent` cgroup — cgroup v2 allows controllers for children only in a cgroup with no
 * processes of its own — and enables the controllers for the jobs beside it.
 */
export async function findCgroupParent(configured: string | null): Promise<CgroupParentResult> {
  if (configured) {
    const available = await readWords(join(configured, 'cgroup.controllers'));
    const absent = REQUIRED_CONTROLLERS.filter((c) => !available.includes(c));
    if (absent.length) {
      throw new SandboxError(`--cgroup-parent ${configured} cannot be used: not a cgroup v2 directory with the ${absent.join(' and ')} controller(s)`);
    }
    const problem = await enableControllers(configured);
    if (problem) throw new SandboxError(`--cgroup-parent ${configured} cannot be used: ${problem}`);
    return { dir: configured };
  }
  if (!(await exists(join(CGROUP_ROOT, 'cgroup.controllers')))) {
    return { dir: null, reason: `${CGROUP_ROOT} is not a cgroup v2 (unified) hierarchy` };
  }
  const own = parseOwnCgroup(await readFile('/proc/self/cgroup', 'utf8'));
  if (own === null) return { dir: null, reason: 'this process has no cgroup v2 path' };
  const dir = join(CGROUP_ROOT, own);
  const controllers = await readWords(join(dir, 'cgroup.controllers'));
  const missing = REQUIRED_CONTROLLERS.filter((c) => !controllers.includes(c));
  if (missing.length) return { dir: null, reason: `controllers ${missing.join(', ')} not delegated to ${dir}` };
  try {
    await access(join(dir, 'cgroup.subtree_control'), constants.W_OK);
    const leaf = join(dir, 'agent');
    await mkdir(leaf, { recursive: true });
    for (const pid of (await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean)) {
      await writeFile(join(leaf, 'cgroup.procs'), pid).catch(() => undefined);
    }
  } catch (err) {
    return { dir: null, reason: `${dir} is not writable (${(err as Error).message})` };
  }
  const problem = await enableControllers(dir);
  return problem ? { dir: null, reason: problem } : { dir };
}

/** The cgroup v2 path from /proc/self/cgroup (the `0::/path` line), or null. */
export function parseOwnCgroup(text: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  return line ? line.slice(3) : null;
}

async function enableControllers(dir: string): Promise<string | null> {
  try {
    const enabled = await readWords(join(dir, 'cgroup.subtree_control'));
    const missing = REQUIRED_CONTROLLERS.filter((c) => !enabled.includes(c));
    if (missing.length) {
      await writeFile(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
    }
    return null;
  } catch (err) {
    return `cannot enable the memory and pids controllers in ${dir} (${(err as Error).message})`;
  }
}

/** Counters from memory.events / pids.events that name a limit the job hit. */
export interface CgroupEvents {
  oomKills: number;
  pidsMax: number;
}

/** Parses a flat-keyed cgroup file (`key value` per line). */
export function parseKeyedFile(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** The limit the events show was hit, memory first (an OOM kill also ends forks). */
export function limitFromEvents(events: CgroupEvents): LimitName | null {
  if (events.oomKills > 0) return 'memoryMb';
  if (events.pidsMax > 0) return 'pids';
  return null;
}

/** One job's cgroup. */
export class JobCgroup {
  private constructor(readonly dir: string) {}

  /** Creates `<parent>/<name>` with the job's limits (unlimited ones are left at "max"). */
  static async create(parent: string, name: string, limits: ResourceLimits): Promise<JobCgroup> {
    const dir = join(parent, name);
    await mkdir(dir);
    const cg = new JobCgroup(dir);
    try {
      if (limits.memoryMb !== null) {
        await writeFile(join(dir, 'memory.max'), String(limits.memoryMb * MIB));
        // Without this the job would swap instead of hitting its limit.
        await writeFile(join(dir, 'memory.swap.max'), '0').catch(ignoreMissing);
        // One OOM kill ends the whole job rather than leaving a half-killed process tree.
        await writeFile(join(dir, 'memory.oom.group'), '1').catch(ignoreMissing);
      }
      if (limits.pids !== null) await writeFile(join(dir, 'pids.max'), String(limits.pids));
    } catch (err) {
      await cg.remove();
      throw err;
    }
    return cg;
  }

  async events(): Promise<CgroupEvents> {
    const memory = parseKeyedFile(await readFile(join(this.dir, 'memory.events'), 'utf8').catch(() => ''));
    const pids = parseKeyedFile(await readFile(join(this.dir, 'pids.events'), 'utf8').catch(() => ''));
    return { oomKills: (memory.oom_kill ?? 0) + (memory.oom_group_kill ?? 0), pidsMax: pids.max ?? 0 };
  }

  /** Forks refused at pids.max so far. */
  async refusedForks(): Promise<number> {
    return (await this.events()).pidsMax;
  }

  /** Kills every process in the cgroup: cgroup.kill (Linux 5.14+), else one by one. */
  async kill(): Promise<void> {
    try {
      await writeFile(join(this.dir, 'cgroup.kill'), '1');
      return;
    } catch {
      // older kernel: fall through
    }
    const procs = await readFile(join(this.dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const pid of procs.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
  }

  /** Kills what is left and removes the cgroup (retrying while the kernel reaps the processes). */
  async remove(): Promise<void> {
    await this.kill();
    for (let i = 0; i < 50; i += 1) {
      try {
        await rmdir(this.dir);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || i === 49) throw err;
        await new Promise((r) => setTimeout(r, 40));
      }
    }
  }
}

/** A pids cgroup (v2 or v1) as the watch sees it. */
export interface PidsEventSource {
  refusedForks(): Promise<number>;
  kill(): Promise<void>;
}

/**
 * Polls pids.events while the job runs: at pids.max the kernel only makes fork fail, and a
 * job stuck at its limit (a fork bomb) would otherwise run until its timeout.
 */
export class CgroupPidsWatch {
  private timer: NodeJS.Timeout | null = null;
  exceeded: LimitName | null = null;

  constructor(
    private readonly cg: PidsEventSource,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      void this.cg.refusedForks().then(async (refused) => {
        if (!this.exceeded && refused > 0) {
          this.exceeded = 'pids';
          await this.cg.kill();
        }
      }, () => undefined);
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readWords(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8').catch(() => '')).split(/\s+/).filter(Boolean);
}
