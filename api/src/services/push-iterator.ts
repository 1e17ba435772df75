import { PushIteratorBase, type PendingNext } from './push-iterator-base';

/**
 * An async iterator fed by pushes, for subscriptions built from several sources: one value a
 * `next()`. Closing rules (and why it is not an async generator): see `PushIteratorBase`.
 */
export class PushIterator<T> extends PushIteratorBase<T> {
  private readonly queue: T[] = [];
  private readonly waiting: Array<PendingNext<T>> = [];

  /** `highWater`: `push` resolves only once the consumer is within this many items. */
  constructor(private readonly highWater = 256) {
    super();
  }

  /** Queues a value; await it to slow a producer down to the consumer's pace. */
  push(value: T): Promise<void> {
    if (!this.accepting) return Promise.resolve();
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.resolve({ value, done: false });
      return Promise.resolve();
    }
    this.queue.push(value);
    if (this.queue.length <= this.highWater) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  protected isEmpty(): boolean {
    return this.queue.length === 0;
  }

  protected take(): T {
    const value = this.queue.shift() as T;
    if (this.queue.length <= this.highWater) this.drained.splice(0).forEach((r) => r());
    return value;
  }

  protected wait(): Promise<IteratorResult<T>> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  protected clear(): Array<PendingNext<T>> {
    this.queue.length = 0;
    return this.waiting.splice(0);
  }
}
