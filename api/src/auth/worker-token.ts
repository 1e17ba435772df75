import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Worker token: `cwt.<id>.<expiry>.<nonce>.<mac>` where expiry is epoch seconds (0: none), nonce
 * is random (a rotated token keeps its id but must differ) and mac is
 * HMAC-SHA256(WORKER_TOKEN_SECRET, "<id>.<expiry>.<nonce>") in base64url. Tokens minted before
 * nonces existed (`cwt.<id>.<expiry>.<mac>`) still verify. The MAC lets us reject forged tokens
 * without a database read; the stored SHA-256 of the whole token makes revocation work and means
 * a database leak gives no usable token.
 */
export const WORKER_TOKEN_PREFIX = 'cwt.';

export interface WorkerTokenClaims {
  tokenId: string;
  expiresAt?: Date;
}

export function mintWorkerToken(tokenId: string, expiresAt: Date | undefined, secret: string): string {
  const exp = expiresAt ? Math.floor(expiresAt.getTime() / 1000) : 0;
  const body = `${tokenId}.${exp}.${randomBytes(9).toString('base64url')}`;
  return `${WORKER_TOKEN_PREFIX}${body}.${mac(body, secret)}`;
}

export function looksLikeWorkerToken(token: string): boolean {
  return token.startsWith(WORKER_TOKEN_PREFIX);
}

/**
 * Checks format, MAC (against the current secret and each previous one, so a secret can be
 * rotated without cutting agents off) and expiry. Returns null when any fails (callers need no
 * detail).
 */
export function verifyWorkerTokenSignature(token: string, secrets: string | readonly string[], now = new Date()): WorkerTokenClaims | null {
  if (!looksLikeWorkerToken(token) || token.length > 512) return null;
  const parts = token.slice(WORKER_TOKEN_PREFIX.length).split('.');
  if (parts.length !== 3 && parts.length !== 4) return null;
  const [tokenId, expRaw] = parts;
  const sig = parts[parts.length - 1];
  if (!/^[0-9a-f]{24}$/.test(tokenId) || !/^\d{1,12}$/.test(expRaw)) return null;
  if (parts.length === 4 && !/^[A-Za-z0-9_-]{1,32}$/.test(parts[2])) return null;
  const body = parts.slice(0, -1).join('.');
  const given = Buffer.from(sig);
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  const signed = list.some((secret) => {
    const expected = Buffer.from(mac(body, secret));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!signed) return null;
  const exp = Number(expRaw);
  if (exp !== 0 && exp * 1000 <= now.getTime()) return null;
  return { tokenId, expiresAt: exp === 0 ? undefined : new Date(exp * 1000) };
}

export function hashWorkerToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function mac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
