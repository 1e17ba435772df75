/**
 * One item at a time from an iterator of batches: the `assignments` subscription of agents
 * that take one job per message, fed by the stream that sends several. Not an async generator,
 * for PushIterator's reason: `return()` must reach the source at once, not after its next batch.
 */
export class FlatIterator<T> implements AsyncIterableIterator<T> {
  private buffered: T[] = [];

  constructor(private readonly source: AsyncIterator<readonly T[]>) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  async next(): Promise<IteratorResult<T>> {
    while (this.buffered.length === 0) {
      const r = await this.source.next();
      if (r.done) return { value: undefined, done: true };
      this.buffered = [...r.value];
    }
    return { value: this.buffered.shift()!, done: false };
  }

  async return(): Promise<IteratorResult<T>> {
    this.buffered = [];
    await this.source.return?.();
    return { value: undefined, done: true };
  }
}
