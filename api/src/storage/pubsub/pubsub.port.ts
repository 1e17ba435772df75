/**
 * Publish/subscribe between API replicas. Payloads are plain JSON: whatever is published
 * arrives as its JSON round trip (Dates become ISO strings, ObjectIds strings), with Redis and
 * in-process alike, so code written against one behaves the same on the other.
 */
export interface PubSubPort {
  publish(topic: string, payload: unknown): Promise<void>;
  /** Resolves once the subscription is live; the returned function unsubscribes. */
  subscribe<T = unknown>(topic: string, handler: (payload: T) => void): Promise<() => void>;
  /** Subscribes at once (not on first `next()`); `ready` resolves when live. `return()` unsubscribes. */
  asyncIterator<T = unknown>(topics: string | readonly string[]): LiveIterator<T>;
  close(): Promise<void>;
}

export interface LiveIterator<T> extends AsyncIterableIterator<T> {
  readonly ready: Promise<void>;
}
