import { looksLikeWorkerToken } from './worker-token';

export const AUTH_COOKIE = 'auth_token';

/** A credential as presented, before it is checked. */
export type Credential = { kind: 'user'; token: string } | { kind: 'worker'; token: string } | { kind: 'none' };

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function classify(token: string): Credential {
  return looksLikeWorkerToken(token) ? { kind: 'worker', token } : { kind: 'user', token };
}

/** HTTP: `x-worker-token`, then `Authorization: Bearer`, then the `auth_token` cookie. */
export function credentialFromHttp(headers: Headers): Credential {
  const workerToken = header(headers, 'x-worker-token')?.trim();
  if (workerToken) return { kind: 'worker', token: workerToken };
  const auth = header(headers, 'authorization');
  const bearer = auth?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return classify(bearer);
  const cookie = cookieToken(header(headers, 'cookie'));
  return cookie ? { kind: 'user', token: cookie } : { kind: 'none' };
}

/** WebSocket: `connectionParams.workerToken`, `.authToken`, then the upgrade request's cookie. */
export function credentialFromConnection(params: Record<string, unknown> | undefined, headers: Headers): Credential {
  const workerToken = params?.workerToken;
  if (typeof workerToken === 'string' && workerToken) return { kind: 'worker', token: workerToken };
  const authToken = params?.authToken;
  if (typeof authToken === 'string' && authToken) return classify(authToken.replace(/^Bearer\s+/i, ''));
  const cookie = cookieToken(header(headers, 'cookie'));
  return cookie ? { kind: 'user', token: cookie } : { kind: 'none' };
}

/** Only our one cookie is wanted; the `cookie` package is ESM-only, which this CommonJS build cannot require. */
function cookieToken(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== AUTH_COOKIE) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      return undefined;
    }
    return value || undefined;
  }
  return undefined;
}
