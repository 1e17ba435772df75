import { PushIteratorBase, type PendingNext } from './push-iterator-base';

/**
 * An async iterator fed by pushes whose `next()` hands over everything queued at once, as one
 * array: a consumer that is busy (a subscriber's socket still writing the last message) gets
 * what piled up meanwhile in one message instead of one message per item. An idle consumer
 * gets each push as soon as it is made — nothing waits for more to come (no timer).
 *
 * Same closing rules as `PushIterator` (`PushIteratorBase` says why it is not an async generator):
 * `return()` takes effect at once, pending `next()` calls resolve done and `onClose` handlers run.
 */
export class BatchPushIterator<T> extends PushIteratorBase<T[]> {
  private queue: T[] = [];
  private queuedSize = 0;
  private waiter: PendingNext<T[]> | undefined;

  /**
   * `sizeOf`: what an item counts towards both bounds. `maxBatch`: one `next()` hands over items
   * up to this size (at least one item). `highWater`: `push` resolves only once the queue is
   * at most this size, slowing the producer to the consumer's pace.
   */
  constructor(
    private readonly sizeOf: (item: T) => number,
    private readonly maxBatch: number,
    private readonly highWater: number,
  ) {
    super();
  }

  /** Queues items (in order, after those queued); await it to slow a producer down. */
  push(items: readonly T[]): Promise<void> {
    if (!this.accepting || items.length === 0) return Promise.resolve();
    for (const item of items) {
      this.queue.push(item);
      this.queuedSize += this.sizeOf(item);
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value: this.take(), done: false });
    }
    if (this.queuedSize <= this.highWater) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  protected isEmpty(): boolean {
    return this.queue.length === 0;
  }

  /** The queued items up to `maxBatch` (at least one), oldest first. */
  protected take(): T[] {
    let n = 0;
    let size = 0;
    while (n < this.queue.length) {
      const s = this.sizeOf(this.queue[n] as T);
      if (n > 0 && size + s > this.maxBatch) break;
      size += s;
      n += 1;
    }
    let batch: T[];
    if (n === this.queue.length) {
      batch = this.queue;
      this.queue = [];
    } else batch = this.queue.splice(0, n);
    this.queuedSize -= size;
    if (this.queuedSize <= this.highWater) this.drained.splice(0).forEach((r) => r());
    return batch;
  }

  protected wait(): Promise<IteratorResult<T[]>> {
    // graphql-ws pulls one at a time; a second concurrent next() would be a consumer bug.
    if (this.waiter) throw new Error('BatchPushIterator: next() called while another is pending');
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  protected clear(): Array<PendingNext<T[]>> {
    this.queue = [];
    this.queuedSize = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    return waiter ? [waiter] : [];
  }
}
