/**
 * Secrets that anyone can read (they are, or were, written in this repository or its docs):
 * a token signed with one of them proves nothing, so the configuration refuses every one of them
 * in every environment. Add here any secret-looking literal that lands in the source.
 */
export const PUBLISHED_SECRETS: readonly string[] = [
  // the development defaults of earlier versions
  'dev-only-jwt-secret-change-me-0123456789',
  'dev-only-worker-token-secret-change-me-0123',
  // placeholders people paste from examples
  'change-me-to-a-random-secret-of-32-bytes-or-more',
  'replace-with-a-long-random-secret-0123456789',
];

/** Fewer distinct characters than this reads as a placeholder (`'x'.repeat(40)`), not a secret. */
const MIN_DISTINCT_CHARS = 10;
export const MIN_SECRET_BYTES = 32;

/** Why `value` cannot sign anything, or undefined when it may. */
export function weakSecretReason(value: string): string | undefined {
  if (PUBLISHED_SECRETS.includes(value)) return 'is published in the source code; set a random secret (e.g. `openssl rand -base64 32`)';
  if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) return `must be at least ${MIN_SECRET_BYTES} bytes`;
  if (new Set(value).size < MIN_DISTINCT_CHARS) return 'looks like a placeholder (too few distinct characters); set a random secret';
  return undefined;
}
