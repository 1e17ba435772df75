/**
 * A lease-style mutual-exclusion lock shared by API replicas (one sweeper at a time).
 * The holder proves ownership with the token it got: only the owner renews or releases.
 */
export interface LockPort {
  /** Take the lock for ttlMs; resolves to the owner token, or null when someone holds it. */
  tryAcquire(key: string, ttlMs: number): Promise<string | null>;
  /** Extend our hold; false when the lock expired or went to someone else. */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Let go; false when we no longer held it (nothing happens then). */
  release(key: string, token: string): Promise<boolean>;
}
