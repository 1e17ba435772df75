/** What `LiveBuffer.next()` returns after it had to forget messages: read the store instead. */
export const OVERFLOWED: unique symbol = Symbol('overflowed');

/**
 * Takes messages off a live channel as they come and holds them for a consumer that goes at its
 * own pace (a subscriber's socket), up to `maxBytes` as `sizeOf` counts them. Past that it
 * forgets the held messages and every sized one after them until the consumer hears of it
 * (`OVERFLOWED`); the consumer then reads what it missed from the store, which has everything
 * that was published. A subscriber slower than the job costs store reads, not server memory.
 * Messages of size 0 (status changes) are never forgotten.
 */
export class LiveBuffer<T> {
  private readonly held: T[] = [];
  private heldBytes = 0;
  private overflowed = false;
  private missed = false;
  private ended = false;
  private failure: { err: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(
    source: AsyncIterable<T>,
    private readonly sizeOf: (message: T) => number,
    private readonly maxBytes: number,
  ) {
    void this.drain(source);
  }

  /** The next message, `OVERFLOWED`, or undefined once the channel ended. */
  async next(): Promise<T | typeof OVERFLOWED | undefined> {
    for (;;) {
      if (this.overflowed || this.missed) {
        // Messages published from here on are held again; the store has the ones before.
        this.overflowed = false;
        this.missed = false;
        return OVERFLOWED;
      }
      const message = this.held.shift();
      if (message !== undefined) {
        this.heldBytes -= this.sizeOf(message);
        return message;
      }
      if (this.failure) throw this.failure.err;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * The channel itself may have lost messages (its connection dropped and came back): the
   * consumer hears `OVERFLOWED` next and reads the store. Held messages stay; they may be newer.
   */
  markMissed(): void {
    this.missed = true;
    this.notify();
  }

  private async drain(source: AsyncIterable<T>): Promise<void> {
    try {
      for await (const message of source) this.hold(message);
    } catch (err) {
      this.failure = { err };
    }
    this.ended = true;
    this.notify();
  }

  private hold(message: T): void {
    const size = this.sizeOf(message);
    if (size > 0 && (this.overflowed || this.heldBytes + size > this.maxBytes)) {
      if (!this.overflowed) {
        this.overflowed = true;
        const kept = this.held.filter((m) => this.sizeOf(m) === 0);
        this.held.length = 0;
        this.held.push(...kept);
        this.heldBytes = 0;
      }
    } else {
      this.held.push(message);
      this.heldBytes += size;
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
