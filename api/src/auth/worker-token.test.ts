import { createHmac } from 'node:crypto';
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

  it('verify with any listed secret (rotation) and stop once a secret leaves the list', () => {
    const old = mintWorkerToken(ID, undefined, SECRET);
    expect(verifyWorkerTokenSignature(old, ['n'.repeat(40), SECRET])?.tokenId).toBe(ID);
    expect(verifyWorkerTokenSignature(old, ['n'.repeat(40)])).toBeNull();
  });

  it('differ each time they are minted for one id, and still accept the nonce-less format', () => {
    expect(mintWorkerToken(ID, undefined, SECRET)).not.toBe(mintWorkerToken(ID, undefined, SECRET));
    const legacy = `cwt.${ID}.0.${createHmac('sha256', SECRET).update(`${ID}.0`).digest('base64url')}`;
    expect(verifyWorkerTokenSignature(legacy, SECRET)?.tokenId).toBe(ID);
  });
});
