/** MongoDB's error code when a write would break a unique index. */
export const DUPLICATE_KEY = 11000;

/** Whether a write failed on a unique index (a taken username, a raced idempotency key…). */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === DUPLICATE_KEY;
}
