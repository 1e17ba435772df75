import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Role } from '../domain/enums';
import { LruMap } from '../lru-map';

export interface UserClaims {
  userId: string;
  username: string;
  role: Role;
  /** The user's session generation when signed (`tv`); a newer one in the store ends the token. */
  tokenVersion?: number;
}

export interface VerifiedUserClaims extends UserClaims {
  expiresAt: Date;
}

/** Why a token was refused; the reason is safe to show (it says nothing about the secret). */
export class TokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'token expired' : 'invalid token');
    this.name = 'TokenError';
  }
}

/**
 * The signing secret and the ones it replaced. New tokens are signed with `current`; tokens
 * signed with a `previous` one verify until that secret leaves the list (rotation without
 * logging everybody out). A bare string is a keyring of one.
 */
export interface JwtSecrets {
  current: string;
  previous?: readonly string[];
}

const ALGORITHM = 'HS256';

interface Key {
  kid: string;
  key: KeyObject;
}

/**
 * Key ids name a secret without revealing it: a truncated SHA-256 of a ≥32-byte random
 * secret says nothing usable about it, and lets verify pick the one key to try.
 */
export function keyId(secret: string): string {
  return createHash('sha256').update('cmd-executor jwt kid\0').update(secret).digest('base64url').slice(0, 12);
}

/**
 * Keys made once per secret: given a string, jsonwebtoken first tries (and fails) to parse it
 * as a public key on every verify, a measurable cost on every request.
 */
const keys = new Map<string, Key>();
function keyOf(secret: string): Key {
  let k = keys.get(secret);
  if (!k) {
    if (keys.size > 64) keys.clear();
    k = { kid: keyId(secret), key: createSecretKey(Buffer.from(secret)) };
    keys.set(secret, k);
  }
  return k;
}

function ring(secrets: JwtSecrets | string): { current: Key; all: Key[] } {
  const s = typeof secrets === 'string' ? { current: secrets } : secrets;
  const current = keyOf(s.current);
  return { current, all: [current, ...(s.previous ?? []).filter((p) => p && p !== s.current).map(keyOf)] };
}

export function signUserToken(claims: UserClaims, secrets: JwtSecrets | string, ttlSeconds: number): string {
  const { current } = ring(secrets);
  return jwt.sign({ role: claims.role, username: claims.username, tv: claims.tokenVersion ?? 0 }, current.key, {
    algorithm: ALGORITHM,
    subject: claims.userId,
    expiresIn: ttlSeconds,
    keyid: current.kid,
  });
}

/**
 * Tokens this process verified, with the key that signed them: every request of a session
 * carries the same token, and decoding and checking its signature again each time was a
 * visible share of a request's CPU. A hit still answers only while the token is unexpired and
 * its key is still in the ring passed in (a secret taken out of the list ends its tokens at
 * once); anything else is verified in full. Bounded, least recently used out first.
 */
const verified = new LruMap<string, { claims: VerifiedUserClaims; key: KeyObject }>(1024);

/**
 * HS256 only: `none`, RS256 and every other algorithm are refused whatever the header says.
 * A token naming a key id is checked against that key only (an unknown id: refused); one
 * without (signed before key ids existed) against each key of the ring.
 */
export function verifyUserToken(token: string, secrets: JwtSecrets | string): VerifiedUserClaims {
  const { all } = ring(secrets);
  const hit = verified.get(token);
  if (hit) {
    // jsonwebtoken's own test: expired once the clock reaches `exp`.
    if (Date.now() < hit.claims.expiresAt.getTime() && all.some((k) => k.key === hit.key)) return { ...hit.claims };
    verified.delete(token);
  }
  const { claims, key } = verifyInFull(token, all);
  verified.set(token, { claims, key });
  return { ...claims };
}

function verifyInFull(token: string, all: readonly Key[]): { claims: VerifiedUserClaims; key: KeyObject } {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.header !== 'object') throw new TokenError('invalid');
  const kid = decoded.header.kid;
  const candidates = kid === undefined ? all : all.filter((k) => k.kid === kid);
  if (candidates.length === 0) throw new TokenError('invalid');
  let payload: string | jwt.JwtPayload | undefined;
  let signer: Key | undefined;
  let expired = false;
  for (const k of candidates) {
    try {
      payload = jwt.verify(token, k.key, { algorithms: [ALGORITHM] });
      signer = k;
      break;
    } catch (err) {
      // Expiry is only checked once the signature matched: "expired" means this key signed it.
      if (err instanceof jwt.TokenExpiredError) expired = true;
    }
  }
  if (payload === undefined || signer === undefined) throw new TokenError(expired ? 'expired' : 'invalid');
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
    throw new TokenError('invalid');
  }
  const role = payload.role;
  if (role !== Role.ADMIN && role !== Role.USER) throw new TokenError('invalid');
  return {
    key: signer.key,
    claims: {
      userId: payload.sub,
      username: typeof payload.username === 'string' ? payload.username : '',
      role,
      tokenVersion: typeof payload.tv === 'number' ? payload.tv : 0,
      expiresAt: new Date(payload.exp * 1000),
    },
  };
}
