/**
 * Watches the processes of one pid namespace (a bubblewrap sandbox) from the host, for
 * hosts where no cgroup can be used: it sums their memory and counts their tasks every
 * `intervalMs`, and kills the whole namespace when the job goes over its memory limit or
 * reaches its process limit. Killing the namespace's init makes the kernel kill every
 * process in it at once, so nothing escapes between two samples.
 *
 * rlimits alone cannot do this: they make allocation or fork fail inside the job, which
 * the job reports in its own words (or not at all), and the agent could not tell the user
 * which limit was hit.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import type { LimitName } from './limits.policy';
import { MIB } from './prlimit-args.builder';

export interface NsUsage {
  /** resident anonymous + shared-memory bytes, summed over the namespace's processes */
  memoryBytes: number;
  /** tasks (threads included, as RLIMIT_NPROC and pids.max count them), init excluded */
  tasks: number;
}

export interface NsMonitorOptions {
  /** reads bwrap's `--info-fd` output: the namespace's init pid, as seen from the host */
  readInfo: () => Promise<{ childPid: number } | null>;
  memoryMb: number | null;
  pids: number | null;
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export class NsProcessMonitor {
  private timer: NodeJS.Timeout | null = null;
  private initPid: number | null = null;
  private nsLink: string | null = null;
  private busy = false;
  private stopped = false;
  /** the limit that made the monitor kill the job */
  exceeded: LimitName | null = null;
  /** highest usage seen, for logs */
  readonly peak: NsUsage = { memoryBytes: 0, tasks: 0 };

  constructor(private readonly opts: NsMonitorOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 100);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Kills every process of the sandbox (SIGKILL to its pid namespace's init). */
  async killAll(): Promise<void> {
    if (!(await this.locate())) return;
    // Check the pid still belongs to the namespace: after the job ended the pid may be reused.
    if ((await readlinkOrNull(`/proc/${this.initPid}/ns/pid`)) !== this.nsLink) return;
    try {
      process.kill(this.initPid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private async locate(): Promise<boolean> {
    if (this.nsLink) return true;
    const info = await this.opts.readInfo();
    if (!info) return false;
    const link = await readlinkOrNull(`/proc/${info.childPid}/ns/pid`);
    // The init already gone and its pid reused by a host process: never adopt (and later
    // kill) a namespace that is not the sandbox's own.
    if (!link || link === (await readlinkOrNull('/proc/self/ns/pid'))) return false;
    this.initPid = info.childPid;
    this.nsLink = link;
    return true;
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      if (!(await this.locate())) return;
      const usage = measureNamespace(this.nsLink!, this.initPid!);
      this.peak.memoryBytes = Math.max(this.peak.memoryBytes, usage.memoryBytes);
      this.peak.tasks = Math.max(this.peak.tasks, usage.tasks);
      const over = this.overLimit(usage);
      if (over && !this.exceeded) {
        this.exceeded = over;
        await this.killAll();
      }
    } catch (err) {
      this.opts.onError?.(err);
    } finally {
      this.busy = false;
    }
  }

  private overLimit(usage: NsUsage): LimitName | null {
    const { memoryMb, pids } = this.opts;
    if (memoryMb !== null && usage.memoryBytes > memoryMb * MIB) return 'memoryMb';
    // The kernel (RLIMIT_NPROC) stops the job at its limit, so "reached" is all we can see:
    // a job that sits at its process limit cannot fork any more.
    if (pids !== null && usage.tasks >= pids) return 'pids';
    return null;
  }
}

/**
 * Sums memory and tasks of the processes in the pid namespace `nsLink` (`pid:[…]`).
 * Synchronous on purpose: a few hundred tiny procfs reads cost well under a millisecond
 * this way, and several times more as as many thread-pool round trips.
 */
export function measureNamespace(nsLink: string, initPid: number): NsUsage {
  const usage: NsUsage = { memoryBytes: 0, tasks: 0 };
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let status: string;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) !== nsLink) continue;
      status = readFileSync(`/proc/${name}/status`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    usage.memoryBytes += (statusField(status, 'RssAnon') + statusField(status, 'RssShmem')) * 1024;
    if (Number(name) !== initPid) usage.tasks += statusField(status, 'Threads');
  }
  return usage;
}

/** A number from /proc/<pid>/status (`RssAnon:     1234 kB` → 1234); 0 when absent (kernel threads). */
export function statusField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

async function readlinkOrNull(path: string): Promise<string | null> {
  try {
    return await readlink(path);
  } catch {
    return null;
  }
}

/** Tasks (threads included) of every process of `uid` on the host: what RLIMIT_NPROC counts. */
export async function countUidTasks(uid: number): Promise<number> {
  let tasks = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => null);
    if (!status) continue;
    const realUid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (Number(realUid) === uid) tasks += statusField(status, 'Threads');
  }
  return tasks;
}
