import type { ResumeEvent } from './pubsub.port';

/** The listeners of PubSubPort.onResume, fired together. */
export class ResumeSignal {
  private readonly listeners = new Set<(event: ResumeEvent) => void>();

  add(listener: (event: ResumeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(event: ResumeEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // One subscriber's failure must not keep the others from catching up.
      }
    }
  }
}
