import { RateLimitedError } from '../errors';
import type { Logger } from '../logger';
import type { RateLimiter } from '../storage/rate-limit';
import type { Principal } from '../auth/principal';

export interface RateLimitSettings {
  windowMs: number;
  max: number;
  workerMax: number;
  /** anonymous callers, per address; `max` when absent */
  anonymousMax?: number;
}

/**
 * One budget per principal: a user, a worker token (its own higher limit, so log streaming is
 * not throttled like a person), or an anonymous client's address (guards login).
 */
export class RateLimitService {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: RateLimitSettings,
    private readonly logger: Logger,
  ) {}

  /**
   * Throws RATE_LIMITED (with retryAfter in whole seconds, at least 1) past the limit. When the
   * limiter itself fails (Redis down) the request is let through: an outage of the limiter must
   * not become an outage of the API. The failure is logged.
   */
  async check(principal: Principal, clientAddress: string | undefined): Promise<void> {
    const { key, max } = this.budget(principal, clientAddress);
    let d;
    try {
      d = await this.limiter.hit(key, max, this.settings.windowMs);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'rate limiter unavailable; request allowed');
      return;
    }
    if (!d.allowed) throw new RateLimitedError(Math.max(1, Math.ceil(d.resetInMs / 1000)));
  }

  private budget(p: Principal, addr: string | undefined): { key: string; max: number } {
    switch (p.kind) {
      case 'user':
        return { key: `u:${p.userId}`, max: this.settings.max };
      case 'worker':
        return { key: `w:${p.tokenId}`, max: this.settings.workerMax };
      case 'anonymous':
        return { key: `a:${addr ?? 'unknown'}`, max: this.settings.anonymousMax ?? this.settings.max };
      default: {
        const never: never = p;
        return never;
      }
    }
  }
}
