import type { IncomingMessage } from 'node:http';

/**
 * The caller's address, the same way for HTTP requests and WebSocket upgrades (rate limits,
 * login throttles and the audit trail all key on it).
 *
 * `trustProxy` is how many proxies stand in front of the API (TRUST_PROXY). Each appends the
 * address it received from to X-Forwarded-For, so the client is the entry `trustProxy` hops
 * from the right, counting the socket's peer as hop 0. Entries further left were written by
 * the client itself and are never believed. With 0 the header is ignored entirely. This is
 * the rule express applies for `trust proxy = <number>` (proxy-addr), so `req.ip` agrees.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustProxy: number): string | undefined {
  const peer = req.socket.remoteAddress;
  if (trustProxy <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  // hops[0] is the peer, hops[1] the rightmost forwarded entry, and so on leftwards.
  const hops = [peer, ...forwarded.reverse()];
  return hops[Math.min(trustProxy, hops.length - 1)];
}
