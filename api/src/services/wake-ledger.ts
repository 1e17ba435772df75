/**
 * Wake generations, and from which one on a worker may not assume any more that nothing is
 * queued for it.
 *
 * Every wake starts a generation (a job's wake, or a tick that found jobs waiting). A worker's
 * `idleSince` says "as of generation s, nothing it may run was queued" (its claim came back
 * empty, or the tick's read of the queue found nothing for its kind). A wake's job is spoken
 * for: the wake goes from worker to worker until the job is taken (see WakeToken), so it does
 * not make the others' knowledge wrong. A wake that ends with its job perhaps still waiting
 * (no worker here could try it, a claim failed) does, and so does a tick that found more jobs
 * than it woke workers for: a worker whose `idleSince` is older claims again when a slot frees,
 * and takes no job at its insert, until a claim of its own or a tick tells it again.
 */
export class WakeLedger {
  private gen = 0;
  private blockedThrough = 0;

  /** The newest generation. */
  get current(): number {
    return this.gen;
  }

  /** A new generation. */
  begin(): number {
    this.gen += 1;
    return this.gen;
  }

  /** Generation `gen` may have left a job waiting that no wake speaks for. */
  block(gen: number): void {
    this.blockedThrough = Math.max(this.blockedThrough, gen);
  }

  /** Whether a worker that knew nothing was queued for it as of `idleSince` still knows it. */
  stillIdle(idleSince: number | undefined): boolean {
    return idleSince !== undefined && idleSince >= this.blockedThrough;
  }
}
