import { RateLimitedError, ServiceUnavailableError } from '../errors';
import type { Logger } from '../logger';
import type { RateLimiter } from '../storage/rate-limit';
import type { Principal } from '../auth/principal';

export interface RateLimitSettings {
  windowMs: number;
  max: number;
  workerMax: number;
  /** anonymous callers, per address; `max` when absent */
  anonymousMax?: number;
  /** The limiter's store is down: true lets requests through, false refuses them (503). Default true. */
  failOpen?: boolean;
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
   * limiter itself fails (Redis down, answered within its command timeout) `failOpen` decides:
   * let the request through unlimited, or refuse it with SERVICE_UNAVAILABLE. Either is logged.
   */
  async check(principal: Principal, clientAddress: string | undefined): Promise<void> {
    const { key, max } = this.budget(principal, clientAddress);
    let d;
    try {
      d = await this.limiter.hit(key, max, this.settings.windowMs);
    } catch (err) {
      const open = this.settings.failOpen ?? true;
      this.logger.warn({ err: (err as Error).message }, open ? 'rate limiter unavailable; request allowed' : 'rate limiter unavailable; request refused');
      if (open) return;
      throw new ServiceUnavailableError('the rate limiter is unavailable; retry shortly');
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
