import { decodeJobCursor, encodeJobCursor } from './job-cursor';

describe('job cursors', () => {
  it('round-trip and refuse garbage', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(decodeJobCursor(encodeJobCursor(at, '0123456789abcdef01234567'))).toEqual({ createdAt: at, id: '0123456789abcdef01234567' });
    expect(decodeJobCursor('garbage')).toBeNull();
    expect(decodeJobCursor(Buffer.from('1:zz').toString('base64url'))).toBeNull();
  });
});
