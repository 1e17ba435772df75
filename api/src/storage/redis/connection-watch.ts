import type { Redis } from 'ioredis';
import type { Logger } from '../../logger';

/**
 * The operator's view of Redis across this replica's clients: one line when the first of them
 * loses its connection, one when the last of them has it back — not one per client, nor one per
 * reconnect attempt.
 */
export class RedisConnectionWatch {
  private readonly lost = new Set<string>();
  private lostAt: number | undefined;

  constructor(private readonly logger: Logger) {}

  watch(r: Redis, role: string): void {
    let wasReady = false;
    // ioredis reconnects by itself; without a listener an error event would crash the process.
    r.on('error', (err: Error) => {
      if (!this.lost.has(role)) this.logger.debug({ err: err.message, role }, 'redis connection error');
    });
    r.on('ready', () => {
      wasReady = true;
      if (!this.lost.delete(role) || this.lost.size > 0 || this.lostAt === undefined) return;
      this.logger.info({ downMs: Date.now() - this.lostAt }, 'redis connection restored');
      this.lostAt = undefined;
    });
    r.on('close', () => {
      if (!wasReady || this.lost.has(role) || r.status === 'end') return;
      this.lost.add(role);
      if (this.lost.size > 1) return;
      this.lostAt = Date.now();
      this.logger.warn({ role }, 'redis connection lost; requests go on without it, live events resume from the store when it returns');
    });
  }
}
