/** The listeners of PubSubPort.onResume, fired together. */
export class ResumeSignal {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // One subscriber's failure must not keep the others from catching up.
      }
    }
  }
}
