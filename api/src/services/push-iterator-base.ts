/** A pending `next()` call. */
export interface PendingNext<V> {
  resolve: (r: IteratorResult<V>) => void;
  reject: (err: unknown) => void;
}

/**
 * What `PushIterator` and `BatchPushIterator` share: how they end and close. Subclasses own the
 * queue (how values are pushed, taken and waited for); this class owns the rules around it.
 *
 * Why not an async generator: graphql-ws calls `return()` when a client unsubscribes or its
 * socket closes, and a generator parked in `await` only sees that after its next value —
 * an idle stream would never clean up. Here `return()` takes effect at once: pending `next()`
 * calls resolve done and the `onClose` handlers run.
 */
export abstract class PushIteratorBase<V> implements AsyncIterableIterator<V> {
  /** Producers waiting (`push` awaited) for the queue to drain below its high water mark. */
  protected readonly drained: Array<() => void> = [];
  private readonly closers: Array<() => void> = [];
  private ending = false;
  private failure: unknown;
  private done = false;

  get closed(): boolean {
    return this.done;
  }

  /** Runs once when the iterator closes (consumer left, or `end` after draining). */
  onClose(fn: () => void): void {
    if (this.done) fn();
    else this.closers.push(fn);
  }

  /** No more values: the consumer gets what is queued, then done (or `err`). */
  end(err?: unknown): void {
    if (this.done || this.ending) return;
    this.ending = true;
    this.failure = err;
    if (this.isEmpty()) this.finish();
  }

  async next(): Promise<IteratorResult<V>> {
    if (!this.isEmpty()) {
      const value = this.take();
      if (this.ending && this.isEmpty()) queueMicrotask(() => this.finish());
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
    return this.wait();
  }

  async return(): Promise<IteratorResult<V>> {
    this.failure = undefined;
    this.finish();
    return { value: undefined, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<V>> {
    this.finish();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** False once `end` was called or the iterator closed: a push then is dropped. */
  protected get accepting(): boolean {
    return !this.done && !this.ending;
  }

  /** Whether nothing is queued. */
  protected abstract isEmpty(): boolean;
  /** The next value off a non-empty queue (releasing `drained` producers as the queue allows). */
  protected abstract take(): V;
  /** A `next()` on an empty, open queue: resolves with the next push. */
  protected abstract wait(): Promise<IteratorResult<V>>;
  /** Drops everything queued and hands back the pending `next()` calls, oldest first. */
  protected abstract clear(): Array<PendingNext<V>>;

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const waiters = this.clear();
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
