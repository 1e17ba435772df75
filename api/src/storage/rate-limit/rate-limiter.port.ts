export interface RateLimitDecision {
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Until the window resets. */
  resetInMs: number;
}

/** Fixed window per key: the window opens at the key's first hit and lasts `windowMs`. */
export interface RateLimiter {
  hit(key: string, max: number, windowMs: number): Promise<RateLimitDecision>;
  close(): Promise<void>;
}
