import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Role } from '../domain/enums';

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

const ALGORITHM = 'HS256';

export function signUserToken(claims: UserClaims, secret: string, ttlSeconds: number): string {
  return jwt.sign({ role: claims.role, username: claims.username, tv: claims.tokenVersion ?? 0 }, secret, {
    algorithm: ALGORITHM,
    subject: claims.userId,
    expiresIn: ttlSeconds,
  });
}

/**
 * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails) to
 * parse it as a public key on every verify, a measurable cost on every request.
 */
let cachedKey: { secret: string; key: KeyObject } | undefined;
function secretKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret)) };
  return cachedKey.key;
}

/** HS256 only: `none`, RS256 and every other algorithm are refused whatever the header says. */
export function verifyUserToken(token: string, secret: string): VerifiedUserClaims {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secretKey(secret), { algorithms: [ALGORITHM] });
  } catch (err) {
    throw new TokenError(err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid');
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
    throw new TokenError('invalid');
  }
  const role = payload.role;
  if (role !== Role.ADMIN && role !== Role.USER) throw new TokenError('invalid');
  return {
    userId: payload.sub,
    username: typeof payload.username === 'string' ? payload.username : '',
    role,
    tokenVersion: typeof payload.tv === 'number' ? payload.tv : 0,
    expiresAt: new Date(payload.exp * 1000),
  };
}
