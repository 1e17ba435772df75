/**
 * An async iterator fed by pushes, for subscriptions built from several sources.
 *
 * Why not an async generator: graphql-ws calls `return()` when a client unsubscribes or its
 * socket closes, and a generator parked in `await` only sees that after its next value —
 * an idle stream would never clean up. Here `return()` takes effect at once: pending `next()`
 * calls resolve done and the `onClose` handlers run.
 */
export class PushIterator<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private readonly waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void }> = [];
  private readonly drained: Array<() => void> = [];
  private readonly closers: Array<() => void> = [];
  private ending = false;
  private failure: unknown;
  private done = false;

  /** `highWater`: `push` resolves only once the consumer is within this many items. */
  constructor(private readonly highWater = 256) {}

  get closed(): boolean {
    return this.done;
  }

  /** Runs once when the iterator closes (consumer left, or `end` after draining). */
  onClose(fn: () => void): void {
    if (this.done) fn();
    else this.closers.push(fn);
  }

  /** Queues a value; await it to slow a producer down to the consumer's pace. */
  push(value: T): Promise<void> {
    if (this.done || this.ending) return Promise.resolve();
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.resolve({ value, done: false });
      return Promise.resolve();
    }
    this.queue.push(value);
    if (this.queue.length <= this.highWater) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** No more values: the consumer gets what is queued, then done (or `err`). */
  end(err?: unknown): void {
    if (this.done || this.ending) return;
    this.ending = true;
    this.failure = err;
    if (this.queue.length === 0) this.finish();
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift() as T;
      if (this.queue.length <= this.highWater) this.drained.splice(0).forEach((r) => r());
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
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<T>> {
    this.failure = undefined;
    this.finish();
    return { value: undefined, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    const waiters = this.waiting.splice(0);
    const first = waiters.shift();
    if (first && this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      first.reject(err);
    } else first?.resolve({ value: undefined, done: true });
    for (const w of waiters) w.resolve({ value: undefined, done: true });
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
