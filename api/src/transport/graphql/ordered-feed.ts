import type { PushIterator } from '../../services/push-iterator';

/**
 * What the job streams share: steps that write to `out` one after another, so the order sent
 * is the order decided (live events and store re-reads interleave, never overlap), and the loop
 * that feeds each live event through those steps. A step that fails ends `out` with its error.
 */
export class OrderedFeed<T> {
  private chain: Promise<void>;

  /** `first`: a step already started; later steps wait for it. */
  constructor(
    private readonly out: PushIterator<T>,
    first: Promise<void> = Promise.resolve(),
  ) {
    this.chain = first;
  }

  /** Runs `step` after every step enqueued before it. */
  readonly enqueue = (step: () => Promise<void>): void => {
    this.chain = this.chain.then(step).catch((err: unknown) => this.out.end(err));
  };

  /**
   * Offers each `live` value in turn (waiting for it and for whatever was enqueued before it),
   * until `out` closes; when `live` ends, `out` ends after the queued steps. Closing `out`
   * returns `live`.
   */
  follow(live: AsyncIterableIterator<T>, offer: (value: T) => Promise<void>): void {
    this.out.onClose(() => void live.return?.());
    void (async () => {
      try {
        for await (const value of live) {
          if (this.out.closed) return;
          this.enqueue(() => offer(value));
          await this.chain;
        }
        await this.chain;
        this.out.end();
      } catch (err) {
        this.out.end(err);
      }
    })();
  }
}
