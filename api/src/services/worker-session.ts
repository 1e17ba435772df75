/** The part of a socket a worker session needs: its id, and cleanup when it closes. */
export interface SessionSocket {
  readonly id: string;
  /** Runs when the socket closes (the socket logs a failing handler; it never throws). */
  onClose(handler: () => void | Promise<void>): void;
}

/**
 * What the worker channel keeps for one WebSocket a worker talks on: the worker that
 * registered on it, and whether its close is already watched. The transport creates one per
 * socket; HTTP calls have none (the channel then finds the worker by its token).
 */
export class WorkerSession {
  /** Set by registerWorker on this socket. */
  workerId?: string;
  private closeWatched = false;

  constructor(private readonly socket: SessionSocket) {}

  get id(): string {
    return this.socket.id;
  }

  /**
   * Runs `handler` when the socket closes. Only the first call registers: a worker that
   * registers again on the same socket keeps the hook it has. False when one was already set.
   */
  watchCloseOnce(handler: () => void | Promise<void>): boolean {
    if (this.closeWatched) return false;
    this.closeWatched = true;
    this.socket.onClose(handler);
    return true;
  }
}
