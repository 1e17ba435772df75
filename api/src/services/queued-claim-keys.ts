import { type ClaimFacts, claimFactsOf, claimKeyOf } from '../domain/claim-key';
import { canRun, type ClaimingWorker } from '../domain/job-state-machine';
import type { SandboxKind } from '../domain/enums';

/**
 * More kinds than this a worker may run, and its claim goes without keys (reading the queue in
 * order, every kind): the embedded store merges at most 32 runs of an index (its planner's
 * MAX_RUNS), and the claim's null for jobs stored before keys is one of them.
 */
export const MAX_CLAIM_KEYS = 24;

/**
 * The kinds of job queued (claim keys, domain/claim-key.ts) as this replica knows them: read
 * from the store at start and on each dispatch tick, and added to when a job is queued here or
 * its wake arrives from another replica. A claim asks only for the kinds its worker may run, so
 * a kind must be known before a claim can take a job of it. Every job is queued with a wake
 * that names it (and noted here before the wake goes), and a wake lost while Redis was away is
 * made good by the tick's read, as the tick made good lost wakes before. A kind no longer
 * queued stays until the next read: a claim's empty run for it costs one index probe.
 * Until the first read has answered, claims go without keys.
 */
export class QueuedClaimKeys {
  private readonly known = new Map<string, ClaimFacts>();
  private read = false;
  /** Kinds noted while a read is in flight: it may have been answered before their jobs were stored. */
  private readonly notedDuringReads = new Set<Set<string>>();

  /** A job of this kind is queued (or about to be). */
  note(job: { requirements?: readonly string[] | null; sandbox?: SandboxKind | null }): void {
    const key = claimKeyOf(job);
    const facts = this.known.has(key) ? undefined : claimFactsOf(key);
    if (facts) this.known.set(key, facts);
    for (const noted of this.notedDuringReads) noted.add(key);
  }

  /** Replaces what is known with what the store says is queued, keeping kinds noted meanwhile. */
  async refresh(readQueuedKeys: () => Promise<unknown[]>): Promise<void> {
    const noted = new Set<string>();
    this.notedDuringReads.add(noted);
    try {
      const keys = await readQueuedKeys();
      const next = new Map<string, ClaimFacts>();
      for (const key of keys) {
        const facts = typeof key === 'string' ? claimFactsOf(key) : null;
        if (facts) next.set(key as string, facts);
      }
      for (const key of noted) {
        const facts = this.known.get(key);
        if (facts) next.set(key, facts);
      }
      this.known.clear();
      for (const [key, facts] of next) this.known.set(key, facts);
      this.read = true;
    } finally {
      this.notedDuringReads.delete(noted);
    }
  }

  /**
   * The keys of the queued kinds this worker may run, for its claim; undefined when the claim
   * should go without keys (nothing read yet, or more kinds than a merge is worth).
   */
  keysFor(worker: Pick<ClaimingWorker, 'labels' | 'sandboxes'>): string[] | undefined {
    if (!this.read) return undefined;
    const keys: string[] = [];
    for (const [key, facts] of this.known) {
      if (!canRun(worker, facts)) continue;
      if (keys.length === MAX_CLAIM_KEYS) return undefined;
      keys.push(key);
    }
    return keys;
  }
}
