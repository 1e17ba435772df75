import jwt from 'jsonwebtoken';
import { Role } from '../domain/enums';
import { signUserToken, TokenError, verifyUserToken } from './jwt';

const claims = { userId: '64b000000000000000000001', username: 'ann', role: Role.USER };

describe('verifyUserToken', () => {
  it('accepts its own HS256 tokens, also after the secret changed and back', () => {
    const a = signUserToken(claims, 'secret-a', 60);
    const b = signUserToken(claims, 'secret-b', 60);
    expect(verifyUserToken(a, 'secret-a')).toMatchObject(claims);
    expect(verifyUserToken(b, 'secret-b')).toMatchObject(claims);
    expect(() => verifyUserToken(a, 'secret-b')).toThrow(TokenError);
    expect(verifyUserToken(a, 'secret-a').userId).toBe(claims.userId);
  });

  it('refuses unsigned tokens and expired ones', () => {
    const none = jwt.sign({ role: Role.ADMIN, username: 'x' }, '', { algorithm: 'none', subject: claims.userId, expiresIn: 60 });
    expect(() => verifyUserToken(none, 'secret-a')).toThrow(TokenError);
    const old = jwt.sign({ role: Role.USER, username: 'x', exp: Math.floor(Date.now() / 1000) - 10 }, 'secret-a', { subject: claims.userId });
    expect(() => verifyUserToken(old, 'secret-a')).toThrow(expect.objectContaining({ reason: 'expired' }));
  });
});
