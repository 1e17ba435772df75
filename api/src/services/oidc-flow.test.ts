import { flowKey, safeReturnTo, signFlow, verifyFlow } from './oidc-flow';

describe('safeReturnTo', () => {
  it.each(['/#/jobs/123', '/', '/#/jobs?status=RUNNING'])('keeps the same-origin path %s', (p) => {
    expect(safeReturnTo(p)).toBe(p);
  });
  it.each(['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/\tjobs', '', 42, undefined, `/${'a'.repeat(3000)}`])(
    'turns %p into the jobs page',
    (p) => {
      expect(safeReturnTo(p)).toBe('/#/jobs');
    },
  );
});

describe('flow cookie', () => {
  const key = flowKey('a-session-secret-of-enough-length-0123456789');
  const flow = { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/#/jobs/1' };
  it('round-trips under the same key', () => {
    expect(verifyFlow(signFlow(flow, key), key)).toEqual(flow);
  });
  it('is refused under another key, tampered, or missing', () => {
    const other = flowKey('another-session-secret-of-enough-length-012');
    const cookie = signFlow(flow, key);
    expect(verifyFlow(cookie, other)).toBeUndefined();
    expect(verifyFlow(`${cookie.slice(0, -2)}xx`, key)).toBeUndefined();
    expect(verifyFlow(undefined, key)).toBeUndefined();
  });
});
