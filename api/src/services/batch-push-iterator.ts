/**
 * An async iterator fed by pushes whose `next()` hands over everything queued at once, as one
 * array: a consumer that is busy (a subscriber's socket still writing the last message) gets
 * what piled up meanwhile in one message instead of one message per item. An idle consumer
 * gets each push as soon as it is made — nothing waits for more to come (no timer).
 *
 * Same closing rules as `PushIterator` (why it is not an async generator is said there):
 * `return()` takes effect at once, pending `next()` calls resolve done and `onClose` handlers run.
 */
export class BatchPushIterator<T> implements AsyncIterableIterator<T[]> {
  private queue: T[] = [];
  private queuedSize = 0;
  private waiter: { resolve: (r: IteratorResult<T[]>) => void; reject: (err: unknown) => void } | undefined;
  private readonly drained: Array<() => void> = [];
  private readonly closers: Array<() => void> = [];
  private ending = false;
  private failure: unknown;
  private done = false;

  /**
   * `sizeOf`: what an item counts towards both bounds. `maxBatch`: one `next()` hands over items
   * up to this size (at least one item). `highWater`: `push` resolves only once the queue is
   * at most this size, slowing the producer to the consumer's pace.
   */
  constructor(
    private readonly sizeOf: (item: T) => number,
    private readonly maxBatch: number,
    private readonly highWater: number,
  ) {}

  get closed(): boolean {
    return this.done;
  }

  /** Runs once when the iterator closes (consumer left, or `end` after draining). */
  onClose(fn: () => void): void {
    if (this.done) fn();
    else this.closers.push(fn);
  }

  /** Queues items (in order, after those queued); await it to slow a producer down. */
  push(items: readonly T[]): Promise<void> {
    if (this.done || this.ending || items.length === 0) return Promise.resolve();
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

  /** No more items: the consumer gets what is queued, then done (or `err`). */
  end(err?: unknown): void {
    if (this.done || this.ending) return;
    this.ending = true;
    this.failure = err;
    if (this.queue.length === 0) this.finish();
  }

  async next(): Promise<IteratorResult<T[]>> {
    if (this.queue.length > 0) {
      const value = this.take();
      if (this.ending && this.queue.length === 0) queueMicrotask(() => this.finish());
      return { value, done: false };
    }
    if (this.ending && !this.done) this.finish();
    if (this.done) {
      if (this.failure !== undefined) {
        const err = this.failure;
        this.failure = undefined;
        throw err;
      }
      return { value: undefined, done: true };
    }
    // graphql-ws pulls one at a time; a second concurrent next() would be a consumer bug.
    if (this.waiter) throw new Error('BatchPushIterator: next() called while another is pending');
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<T[]>> {
    this.failure = undefined;
    this.finish();
    return { value: undefined, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<T[]>> {
    this.finish();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The queued items up to `maxBatch` (at least one), oldest first. */
  private take(): T[] {
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

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    this.queuedSize = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter && this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      waiter.reject(err);
    } else waiter?.resolve({ value: undefined, done: true });
    this.drained.splice(0).forEach((r) => r());
    for (const fn of this.closers.splice(0)) {
      try {
        fn();
      } catch {
        // a cleanup failing must not stop the others
      }
    }
  }
}
