import type { LiveIterator } from '../../storage/pubsub';

/**
 * Keeps only the events `keep` accepts (checked per event: what a caller may see can differ
 * per job). `return()` reaches the source, so closing the subscription unsubscribes.
 */
export function filterLive<T>(source: LiveIterator<T>, keep: (event: T) => boolean | Promise<boolean>): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const r = await source.next();
        if (r.done) return r;
        if (await keep(r.value)) return r;
      }
    },
    return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (err?: unknown) => source.throw?.(err) ?? Promise.reject(err),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

/**
 * Emits `first`, then everything `rest` yields. Used to start a subscription with the current
 * state read after the live source is ready, so a change between a client's query and its
 * subscription can never be missed (at worst it is seen twice).
 */
export function startWith<T>(first: T, rest: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  let pending = true;
  const it: AsyncIterableIterator<T> = {
    async next() {
      if (pending) {
        pending = false;
        return { value: first, done: false };
      }
      return rest.next();
    },
    return: () => {
      pending = false;
      return rest.return?.() ?? Promise.resolve({ value: undefined, done: true });
    },
    throw: (err?: unknown) => rest.throw?.(err) ?? Promise.reject(err),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
