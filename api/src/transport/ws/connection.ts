import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { WorkerSession } from '../../services/worker-session';
import type { ConnectionContext } from '../graphql/context';

/** One graphql-ws socket's lifetime: its id, the worker session on it and close handlers. */
export class WsConnection implements ConnectionContext {
  readonly id = randomUUID();
  readonly workerSession = new WorkerSession(this);
  private readonly handlers: Array<() => void | Promise<void>> = [];
  private isClosed = false;

  constructor(private readonly logger: Logger) {}

  get closed(): boolean {
    return this.isClosed;
  }

  onClose(handler: () => void | Promise<void>): void {
    if (this.isClosed) void this.run(handler);
    else this.handlers.push(handler);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await Promise.all(this.handlers.splice(0).map((h) => this.run(h)));
  }

  private async run(handler: () => void | Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (err) {
      this.logger.error({ err, connectionId: this.id }, 'connection close handler failed');
    }
  }
}
