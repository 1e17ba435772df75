import jwt from 'jsonwebtoken';
import { Role } from '../domain/enums';
import { keyId, signUserToken, TokenError, verifyUserToken } from './jwt';

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

describe('verifyUserToken of a token it verified before', () => {
  afterEach(() => jest.useRealTimers());

  it('refuses it as expired once its time is up, and answers each call with its own claims', () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    const token = signUserToken(claims, 'secret-a', 60);
    const first = verifyUserToken(token, 'secret-a');
    first.username = 'changed by a caller';
    expect(verifyUserToken(token, 'secret-a')).toMatchObject(claims);
    jest.setSystemTime(new Date('2026-12-01T10:00:59.999Z'));
    expect(verifyUserToken(token, 'secret-a')).toMatchObject(claims);
    jest.setSystemTime(new Date('2026-12-01T10:01:00Z'));
    expect(() => verifyUserToken(token, 'secret-a')).toThrow(expect.objectContaining({ reason: 'expired' }));
  });

  it('refuses it once its secret has left the list, and accepts it when the secret is back', () => {
    const ring = { current: 'secret-new', previous: ['secret-old'] };
    const old = signUserToken(claims, 'secret-old', 60);
    expect(verifyUserToken(old, ring)).toMatchObject(claims);
    expect(() => verifyUserToken(old, { current: 'secret-new' })).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(verifyUserToken(old, ring)).toMatchObject(claims);
  });
});

describe('verifyUserToken with previous secrets', () => {
  it('signs with the current secret, names it in kid, and verifies previous ones until they leave the list', () => {
    const old = signUserToken(claims, 'secret-old', 60);
    const ring = { current: 'secret-new', previous: ['secret-old'] };
    const fresh = signUserToken(claims, ring, 60);
    expect(jwt.decode(fresh, { complete: true })?.header.kid).toBe(keyId('secret-new'));
    expect(keyId('secret-new')).not.toContain('secret');
    expect(verifyUserToken(old, ring)).toMatchObject(claims);
    expect(verifyUserToken(fresh, ring)).toMatchObject(claims);
    expect(() => verifyUserToken(old, 'secret-new')).toThrow(TokenError);
    expect(() => verifyUserToken(fresh, 'secret-old')).toThrow(TokenError);
  });

  it('tries only the key a kid names; an unknown kid is refused; tokens without kid try every key', () => {
    const ring = { current: 'secret-new', previous: ['secret-old'] };
    const lying = jwt.sign({ role: Role.USER, username: 'x' }, 'secret-old', { algorithm: 'HS256', subject: claims.userId, expiresIn: 60, keyid: keyId('secret-new') });
    expect(() => verifyUserToken(lying, ring)).toThrow(TokenError);
    const unknown = jwt.sign({ role: Role.USER, username: 'x' }, 'secret-new', { algorithm: 'HS256', subject: claims.userId, expiresIn: 60, keyid: 'nope' });
    expect(() => verifyUserToken(unknown, ring)).toThrow(TokenError);
    const bare = jwt.sign({ role: Role.USER, username: 'x' }, 'secret-old', { algorithm: 'HS256', subject: claims.userId, expiresIn: 60 });
    expect(verifyUserToken(bare, ring).userId).toBe(claims.userId);
    const expired = jwt.sign({ role: Role.USER, username: 'x', exp: Math.floor(Date.now() / 1000) - 10 }, 'secret-old', { subject: claims.userId, keyid: keyId('secret-old') });
    expect(() => verifyUserToken(expired, ring)).toThrow(expect.objectContaining({ reason: 'expired' }));
  });
});
