import type { Logger } from 'pino';
import type { WorkerError } from '../errors';
import { ASSIGNMENTS, type Assignment } from '../transport/operations';
import type { WorkerClient } from '../transport/worker-client';

/**
 * The `assignments` subscription as one async iterable that outlives reconnects (the
 * hatchet action listener's shape). The agent calls `listen()` after every successful
 * registration; when the socket drops, the subscription ends and the iterator simply
 * waits for the next `listen()`. `close()` ends the iteration.
 */
export class ActionListener implements AsyncIterable<Assignment> {
  private readonly queue: Assignment[] = [];
  private wake: (() => void) | undefined;
  private dispose: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly client: WorkerClient,
    private readonly logger: Logger,
  ) {}

  /** Assignments received and not yet taken by the iteration. */
  get queued(): number {
    return this.queue.length;
  }

  /** Subscribe on the current connection (replacing an earlier subscription). */
  listen(): void {
    if (this.closed) return;
    this.dispose?.();
    const dispose = this.client.subscribe(ASSIGNMENTS, {
      // Several jobs handed over together arrive in one event; the agent takes them one by one.
      next: (data) => {
        for (const a of data.assignmentBatch) this.push(a);
      },
      error: (err: WorkerError) => {
        if (this.dispose === dispose) this.dispose = undefined;
        this.logger.warn({ err: err.message }, 'assignments subscription ended; waiting for the next connection');
      },
      complete: () => {
        if (this.dispose === dispose) this.dispose = undefined;
      },
    });
    this.dispose = dispose;
  }

  /** The socket dropped: forget the subscription (graphql-ws must not replay it before we re-register). */
  detach(): void {
    this.dispose?.();
    this.dispose = undefined;
  }

  /** Stop taking work: unsubscribe and end the iteration. */
  close(): void {
    this.closed = true;
    this.detach();
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Assignment> {
    for (;;) {
      while (this.queue.length > 0 && !this.closed) yield this.queue.shift()!;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private push(a: Assignment): void {
    if (this.closed) return;
    this.queue.push(a);
    this.wake?.();
  }
}
