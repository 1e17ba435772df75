import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** What the callback must find again: kept in a signed, short-lived, httpOnly cookie, never in the URL. */
export interface OidcFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

export const OIDC_FLOW_COOKIE = 'oidc_flow';
/** Long enough to type a password at the issuer, short enough that a stolen cookie is soon useless. */
export const OIDC_FLOW_TTL_SECONDS = 600;
const AUDIENCE = 'cmdx-oidc-flow';

/** A key of its own, so a flow cookie can never pass for a session token or the reverse. */
export function flowKey(sessionSecret: string): Buffer {
  return createHmac('sha256', sessionSecret).update('oidc-flow-cookie').digest();
}

export function signFlow(flow: OidcFlow, key: Buffer): string {
  return jwt.sign({ s: flow.state, n: flow.nonce, v: flow.codeVerifier, r: flow.returnTo }, key, { algorithm: 'HS256', audience: AUDIENCE, expiresIn: OIDC_FLOW_TTL_SECONDS });
}

/** The flow, or undefined when the cookie is missing, forged or expired. */
export function verifyFlow(cookie: string | undefined, key: Buffer): OidcFlow | undefined {
  if (!cookie) return undefined;
  try {
    const p = jwt.verify(cookie, key, { algorithms: ['HS256'], audience: AUDIENCE }) as Record<string, unknown>;
    const { s, n, v, r } = p;
    if (typeof s !== 'string' || typeof n !== 'string' || typeof v !== 'string' || typeof r !== 'string') return undefined;
    return { state: s, nonce: n, codeVerifier: v, returnTo: safeReturnTo(r) };
  } catch {
    return undefined;
  }
}

/**
 * Where to go after signing in: a path on this origin only. Anything else (`//evil`, `/\evil`,
 * `https://…`, control characters) becomes the jobs page, so the login cannot be an open redirect.
 */
export function safeReturnTo(raw: unknown): string {
  const fallback = '/#/jobs';
  if (typeof raw !== 'string' || raw.length > 2048) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  const parsed = new URL(raw, 'http://same-origin.invalid');
  return parsed.origin === 'http://same-origin.invalid' ? raw : fallback;
}
