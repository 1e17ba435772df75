/**
 * Gathers the reports (startJob, completeJob, appendLogs) made in one turn of the event loop
 * into one request. The first report of a turn schedules the send with `setImmediate`, which
 * runs once the I/O callbacks of this turn are done: the exits and spawns seen together go together, and
 * a lone report goes out at once — no timer, so batching adds no latency when idle. Each caller
 * gets its own item's answer; a failed request fails every item of it (the callers retry).
 */
export class ReportBatcher<I, R> {
  private pending: Array<{ item: I; resolve(r: R): void; reject(err: unknown): void }> = [];
  private scheduled = false;

  /**
   * `send` answers the items in the order given. `limit` bounds one request (items of a turn
   * beyond it go in further requests, sent at once): at most `weight` in all by `weigh`, except
   * that a request always takes at least one item.
   */
  constructor(
    private readonly send: (items: I[]) => Promise<R[]>,
    private readonly limit?: { weigh: (item: I) => number; weight: number },
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const batch of this.split(pending)) this.request(batch);
  }

  private split<T extends { item: I }>(pending: T[]): T[][] {
    const limit = this.limit;
    if (!limit) return [pending];
    const out: T[][] = [];
    let group: T[] = [];
    let weight = 0;
    for (const p of pending) {
      const w = limit.weigh(p.item);
      if (group.length > 0 && weight + w > limit.weight) {
        out.push(group);
        group = [];
        weight = 0;
      }
      group.push(p);
      weight += w;
    }
    if (group.length > 0) out.push(group);
    return out;
  }

  private request(batch: Array<{ item: I; resolve(r: R): void; reject(err: unknown): void }>): void {
    let sent: Promise<R[]>;
    try {
      sent = this.send(batch.map((b) => b.item));
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (answers) => {
        for (const [i, b] of batch.entries()) {
          if (i < answers.length) b.resolve(answers[i]);
          else b.reject(new Error('the server answered fewer items than were sent'));
        }
      },
      (err: unknown) => {
        for (const b of batch) b.reject(err);
      },
    );
  }
}
