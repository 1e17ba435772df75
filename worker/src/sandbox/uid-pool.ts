/**
 * Unprivileged uids for sandboxed jobs when the agent runs as root. Each running job gets a
 * uid of its own, used by no other process on the host, so that RLIMIT_NPROC — which the
 * kernel counts per uid across the whole machine and does not apply to root at all —
 * becomes a per-job process limit, and the job owns no file outside its work dir.
 */
import { SandboxError } from '../runner/sandbox.types';

export const DEFAULT_UID_BASE = 1_800_000;
export const DEFAULT_UID_COUNT = 65_536;

export class UidPool {
  private readonly inUse = new Set<number>();
  private next = 0;

  constructor(
    private readonly base = DEFAULT_UID_BASE,
    private readonly count = DEFAULT_UID_COUNT,
  ) {}

  /** A uid no running job holds (round robin, so a just-freed uid is not reused at once). */
  acquire(): number {
    for (let i = 0; i < this.count; i += 1) {
      const uid = this.base + ((this.next + i) % this.count);
      if (!this.inUse.has(uid)) {
        this.inUse.add(uid);
        this.next = (uid - this.base + 1) % this.count;
        return uid;
      }
    }
    throw new SandboxError(`no free sandbox uid in ${this.base}..${this.base + this.count - 1}`);
  }

  release(uid: number): void {
    this.inUse.delete(uid);
  }
}
