/**
 * Publish/subscribe between API replicas. Payloads are plain JSON: whatever is published
 * arrives as its JSON round trip (Dates become ISO strings, ObjectIds strings), with Redis and
 * in-process alike, so code written against one behaves the same on the other.
 */
export interface PubSubPort {
  /**
   * Events are notifications, never the record: everything published was stored first. So a
   * message that cannot be sent (Redis down) is logged and dropped, and the call resolves, fast
   * (the caller's request does not fail after storing); subscribers catch up from the store
   * (`onResume`), and dispatch has its own ticks and sweeper.
   */
  publish(topic: string, payload: unknown): Promise<void>;
  /** Resolves once the subscription is live; the returned function unsubscribes. */
  subscribe<T = unknown>(topic: string, handler: (payload: T) => void): Promise<() => void>;
  /** Subscribes at once (not on first `next()`); `ready` resolves when live. `return()` unsubscribes. */
  asyncIterator<T = unknown>(topics: string | readonly string[]): LiveIterator<T>;
  /**
   * Calls `listener` whenever live delivery may have missed messages (the subscriber connection
   * came back after a loss, or a publish could not be sent): subscribers then read what they
   * missed from the store. Returns a function that removes the listener.
   */
  onResume(listener: (event: ResumeEvent) => void): () => void;
  close(): Promise<void>;
}

/** What live delivery may have missed, as far as the port can tell. */
export interface ResumeEvent {
  /**
   * When messages may have started going missing, on this replica's clock: readers of the store
   * go back a little before it (another replica stamped what it wrote with its own clock).
   */
  since: Date;
  /** Set when only this topic's publish failed here; absent when anything may be missing. */
  topic?: string;
}

export interface LiveIterator<T> extends AsyncIterableIterator<T> {
  readonly ready: Promise<void>;
}
