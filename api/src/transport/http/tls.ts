import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** HTTPS directly, or behind a proxy that says so in X-Forwarded-Proto (first hop wins). */
export function isSecureRequest(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https' || first === 'wss';
}

/**
 * Browsers send Origin on cross-site requests and on every WebSocket upgrade; programs
 * (workers, curl) send none. A cookie-authenticated socket from a foreign page must be refused.
 */
export function isAllowedOrigin(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  // Same origin as the API itself (the UI served from here).
  const host = req.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}
