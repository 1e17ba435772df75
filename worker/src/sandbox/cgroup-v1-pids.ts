/**
 * A job's process limit on hosts with the cgroup v1 `pids` controller (cgroup v1 or hybrid
 * hosts: no delegated cgroup v2, but `/sys/fs/cgroup/pids` writable, typically by a root agent).
 *
 * Without a cgroup the kernel says nothing when a fork fails at RLIMIT_NPROC: a job that hits
 * its limit and then exits 0 (a `/bin/sh` fork bomb followed by `sleep`) looks like a success
 * unless a sample of its processes happened to catch it at the limit. A pids cgroup counts
 * every refused fork in `pids.events` ("max N"), so the agent can tell exactly, afterwards too.
 */
import { access, constants, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseKeyedFile } from './cgroup-v2';

export const PIDS_V1_ROOT = '/sys/fs/cgroup/pids';

/** The pids hierarchy's path of this process from /proc/self/cgroup (`N:pids:/path`), or null. */
export function parseOwnPidsCgroupV1(text: string): string | null {
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    if (line.slice(first + 1, second).split(',').includes('pids')) return line.slice(second + 1);
  }
  return null;
}

export type PidsV1ParentResult = { dir: string } | { dir: null; reason: string };

/** The directory job pids cgroups go under (this process's own pids cgroup), if writable. */
export async function findPidsCgroupV1Parent(root = PIDS_V1_ROOT): Promise<PidsV1ParentResult> {
  try {
    await access(join(root, 'cgroup.procs'));
  } catch {
    return { dir: null, reason: `no cgroup v1 pids hierarchy at ${root}` };
  }
  const own = parseOwnPidsCgroupV1(await readFile('/proc/self/cgroup', 'utf8').catch(() => ''));
  if (own === null) return { dir: null, reason: 'this process has no cgroup v1 pids path' };
  const dir = join(root, own);
  try {
    await access(dir, constants.W_OK);
    // probe: create and remove a child, as every job will
    const probe = join(dir, `cmd-executor-probe-${process.pid}`);
    await mkdir(probe);
    await rmdir(probe);
  } catch (err) {
    return { dir: null, reason: `${dir} is not writable (${(err as Error).message})` };
  }
  return { dir };
}

/** The name of a job's pids cgroup: it carries the agent's pid, so a later start can tell whose it was. */
export function pidsCgroupName(jobKey: string, suffix: string, agentPid = process.pid): string {
  return `job-a${agentPid}-${jobKey.replace(/[^A-Za-z0-9_.-]/g, '_')}-${suffix}`;
}

/**
 * Removes the (empty) job cgroups of agents that are gone — an agent killed with SIGKILL had
 * no chance to. Cgroups of live agents sharing the parent are left alone. Returns how many.
 */
export async function removeOrphanPidsCgroups(parent: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const owner = /^job-a(\d+)-/.exec(name)?.[1];
    if (!owner || isAlive(Number(owner))) continue;
    // rmdir refuses a cgroup that still has processes: those are not orphans of a dead agent's job yet
    if (await rmdir(join(parent, name)).then(() => true, () => false)) removed += 1;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One job's pids cgroup (v1). */
export class PidsCgroupV1 {
  private constructor(readonly dir: string) {}

  /** Creates `<parent>/<name>` with `pids.max`. */
  static async create(parent: string, name: string, max: number): Promise<PidsCgroupV1> {
    const dir = join(parent, name);
    await mkdir(dir);
    const cg = new PidsCgroupV1(dir);
    try {
      await writeFile(join(dir, 'pids.max'), String(max));
    } catch (err) {
      await cg.remove();
      throw err;
    }
    return cg;
  }

  /** Forks refused at `pids.max` so far. */
  async refusedForks(): Promise<number> {
    return parseKeyedFile(await readFile(join(this.dir, 'pids.events'), 'utf8').catch(() => '')).max ?? 0;
  }

  /** SIGKILL to every process in it (v1 has no cgroup.kill). */
  async kill(): Promise<void> {
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
    for (let i = 0; i < 50; i += 1) {
      await this.kill();
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
