import { RateLimitedError } from '../errors';
import type { Logger } from '../logger';
import type { RateLimiter } from '../storage/rate-limit';

export interface LoginThrottleSettings {
  windowMs: number;
  /** login attempts per address and window, whatever their outcome */
  max: number;
}

/**
 * Login attempts per client address, apart from the general request budget: a password guess
 * costs a deliberate scrypt hash, so an address gets a few dozen a minute, not hundreds. Every
 * attempt counts, so a right guess costs as much budget as a wrong one and the answer to an
 * over-budget attempt says nothing about the password. Like the request limit, it lets logins
 * through (and logs it) when the limiter itself is down.
 */
export class LoginThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: LoginThrottleSettings,
    private readonly logger: Logger,
  ) {}

  /** Throws RATE_LIMITED (HTTP 429 with Retry-After) past the budget of `clientAddress`. */
  async check(clientAddress: string | undefined): Promise<void> {
    let d;
    try {
      d = await this.limiter.hit(`login:a:${clientAddress ?? 'unknown'}`, this.settings.max, this.settings.windowMs);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'login throttle unavailable; attempt allowed');
      return;
    }
    if (!d.allowed) throw new RateLimitedError(Math.max(1, Math.ceil(d.resetInMs / 1000)));
  }
}
