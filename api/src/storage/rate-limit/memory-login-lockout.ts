import { lockoutDurationMs, type LoginLockoutSettings } from '../../domain/login-lockout.rules';
import type { LoginAttemptDecision, LoginLockoutStore } from './login-lockout.port';

interface State {
  failures: number;
  level: number;
  lockedUntil: number;
  /** When the whole record is forgotten (the Redis keys' expiry). */
  expiresAt: number;
}

/** One process only (REDIS_URL unset); the same rules as the Redis script. */
export class MemoryLoginLockout implements LoginLockoutStore {
  private readonly states = new Map<string, State>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async attempt(key: string, s: LoginLockoutSettings): Promise<LoginAttemptDecision> {
    const now = this.now();
    let st = this.states.get(key);
    if (st && st.expiresAt <= now) st = undefined;
    if (st && st.lockedUntil > now) return { allowed: false, retryAfterMs: st.lockedUntil - now, lockedNow: false };
    if (!st) {
      st = { failures: 0, level: 0, lockedUntil: 0, expiresAt: now + s.failureWindowMs };
      this.states.set(key, st);
    }
    st.failures += 1;
    if (st.failures <= s.failuresMax) return { allowed: true };
    st.level += 1;
    const lockMs = lockoutDurationMs(st.level, s);
    st.lockedUntil = now + lockMs;
    st.failures = s.failuresMax - 1;
    st.expiresAt = now + lockMs + s.failureWindowMs;
    return { allowed: false, retryAfterMs: lockMs, lockedNow: true };
  }

  async reset(key: string): Promise<void> {
    this.states.delete(key);
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, st] of this.states) if (st.expiresAt <= now) this.states.delete(k);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.states.clear();
  }
}
