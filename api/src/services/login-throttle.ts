import { createHash } from 'node:crypto';
import type { LoginLockoutSettings } from '../domain/login-lockout.rules';
import { RateLimitedError, ServiceUnavailableError } from '../errors';
import type { Logger } from '../logger';
import type { LoginLockoutStore, RateLimiter } from '../storage/rate-limit';

export interface LoginThrottleSettings {
  windowMs: number;
  /** login attempts per address and window, whatever their outcome */
  max: number;
  /** requests to /auth/oidc/* per address and window (each begins or ends a sign-in flow) */
  oidcMax: number;
}

export interface LoginThrottleDeps {
  limiter: RateLimiter;
  lockouts: LoginLockoutStore;
  settings: LoginThrottleSettings;
  lockout: LoginLockoutSettings;
  /** The store is down: true lets the attempt through (logged), false refuses it (503). */
  failOpen: boolean;
  logger: Logger;
}

/** What `admit` learned, for the audit trail. */
export interface LoginAdmission {
  /** The username key, for `succeeded`. */
  readonly key: string;
}

/**
 * Two brakes on password guessing, both before the password is checked:
 *
 * - per client address: a few dozen attempts a minute, whatever their outcome (a guess costs a
 *   deliberate scrypt hash). A right guess costs as much as a wrong one, so an over-budget
 *   answer says nothing about the password.
 * - per username, from any address: after `failuresMax` failures within the window the
 *   username is locked (RATE_LIMITED with retryAfter, right password or not), each further
 *   lockout twice as long up to the cap; a successful sign-in clears it. Unknown usernames are
 *   counted exactly like real ones, so the answers never tell which exist.
 */
export class LoginThrottle {
  constructor(private readonly deps: LoginThrottleDeps) {}

  /**
   * Throws RATE_LIMITED (HTTP 429 with Retry-After) when either budget refuses this attempt;
   * `onLockout` runs (awaited) when this attempt is the one that locks the username.
   */
  async admit(username: string, clientAddress: string | undefined, onLockout: (retryAfterSeconds: number) => Promise<void>): Promise<LoginAdmission> {
    const key = usernameKey(username);
    // Both live in the same store: when it just failed, do not wait on it a second time.
    if (!(await this.checkAddress(clientAddress))) return { key };
    let d;
    try {
      d = await this.deps.lockouts.attempt(key, this.deps.lockout);
    } catch (err) {
      this.storeDown(err);
      return { key };
    }
    if (!d.allowed) {
      const retryAfter = seconds(d.retryAfterMs);
      if (d.lockedNow) await onLockout(retryAfter);
      throw new RateLimitedError(retryAfter);
    }
    return { key };
  }

  /** A right password: the username's failures and lockout level are forgotten. */
  async succeeded(admission: LoginAdmission): Promise<void> {
    try {
      await this.deps.lockouts.reset(admission.key);
    } catch (err) {
      // The sign-in itself stands; the charge for it expires with the window.
      this.deps.logger.warn({ err: (err as Error).message }, 'login lockout store unavailable; failures not cleared');
    }
  }

  /**
   * An OIDC sign-in step (`/auth/oidc/login` or its callback) from `clientAddress`: throws
   * RATE_LIMITED past the address's budget, so a flood cannot start unbounded flows (each one
   * costs an issuer round trip and a signed flow cookie) or hammer the callback.
   */
  async admitOidc(clientAddress: string | undefined): Promise<void> {
    await this.checkAddress(clientAddress, 'oidc', this.deps.settings.oidcMax);
  }

  /** false: the store is down and failing open let the attempt through unchecked. */
  private async checkAddress(clientAddress: string | undefined, kind: 'login' | 'oidc' = 'login', max = this.deps.settings.max): Promise<boolean> {
    let d;
    try {
      d = await this.deps.limiter.hit(`${kind}:a:${clientAddress ?? 'unknown'}`, max, this.deps.settings.windowMs);
    } catch (err) {
      this.storeDown(err);
      return false;
    }
    if (!d.allowed) throw new RateLimitedError(seconds(d.resetInMs));
    return true;
  }

  private storeDown(err: unknown): void {
    const open = this.deps.failOpen;
    this.deps.logger.warn({ err: (err as Error).message }, open ? 'login throttle unavailable; attempt allowed' : 'login throttle unavailable; attempt refused');
    if (!open) throw new ServiceUnavailableError('sign-in is unavailable right now; retry shortly');
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Case and surrounding blanks do not make a new budget; hashed so no username sits in Redis. */
function usernameKey(username: string): string {
  return createHash('sha256').update(String(username).trim().toLowerCase()).digest('base64url').slice(0, 32);
}
