import { randomUUID } from 'node:crypto';
import type { LockPort } from './lock.port';

/** One process, no Redis: the same contract kept in a map (expiry checked on access). */
export class MemoryLock implements LockPort {
  private readonly held = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private current(key: string): { token: string; expiresAt: number } | undefined {
    const entry = this.held.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.held.delete(key);
      return undefined;
    }
    return entry;
  }

  async tryAcquire(key: string, ttlMs: number): Promise<string | null> {
    if (this.current(key)) return null;
    const token = randomUUID();
    this.held.set(key, { token, expiresAt: this.now() + ttlMs });
    return token;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const entry = this.current(key);
    if (entry?.token !== token) return false;
    entry.expiresAt = this.now() + ttlMs;
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    if (this.current(key)?.token !== token) return false;
    this.held.delete(key);
    return true;
  }
}
