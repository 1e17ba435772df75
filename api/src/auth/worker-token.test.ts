import { hashWorkerToken, mintWorkerToken, verifyWorkerTokenSignature } from './worker-token';

const SECRET = 's'.repeat(40);
const ID = '0123456789abcdef01234567';

describe('worker tokens', () => {
  it('verify what they mint, with and without expiry', () => {
    expect(verifyWorkerTokenSignature(mintWorkerToken(ID, undefined, SECRET), SECRET)).toEqual({ tokenId: ID, expiresAt: undefined });
    const exp = new Date(Date.now() + 60_000);
    const claims = verifyWorkerTokenSignature(mintWorkerToken(ID, exp, SECRET), SECRET);
    expect(claims?.expiresAt?.getTime()).toBe(Math.floor(exp.getTime() / 1000) * 1000);
  });

  it('refuse another secret, an expired token and any edit', () => {
    const token = mintWorkerToken(ID, undefined, SECRET);
    expect(verifyWorkerTokenSignature(token, 't'.repeat(40))).toBeNull();
    expect(verifyWorkerTokenSignature(mintWorkerToken(ID, new Date(Date.now() - 1000), SECRET), SECRET)).toBeNull();
    expect(verifyWorkerTokenSignature(token.replace(ID, 'f'.repeat(24)), SECRET)).toBeNull();
    expect(verifyWorkerTokenSignature(token.replace('.0.', '.9999999999.'), SECRET)).toBeNull();
    expect(verifyWorkerTokenSignature(`${token}x`, SECRET)).toBeNull();
    expect(verifyWorkerTokenSignature('eyJhbGciOi.x.y', SECRET)).toBeNull();
  });

  it('hash to a stable SHA-256 that is not the token', () => {
    const token = mintWorkerToken(ID, undefined, SECRET);
    expect(hashWorkerToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashWorkerToken(token)).toBe(hashWorkerToken(token));
  });
});
