import { utf8Text } from './utf8-text';

describe('utf8Text', () => {
  it.each([
    ['plain ASCII with control characters', Buffer.from('line one\nline\ttwo\u0001\u007f\n')],
    ['multi-byte characters', Buffer.from('héllo wörld ✓ 日本語 😀\n')],
    ['an invalid sequence (a lone continuation byte)', Buffer.from([0x61, 0x80, 0x62])],
    ['a truncated multi-byte character at the end', Buffer.from([0x61, 0xe6, 0x97])],
    ['a Latin-1 byte that is not UTF-8', Buffer.from([0x63, 0x61, 0x66, 0xe9])],
    ['nothing', Buffer.alloc(0)],
  ])('decodes %s exactly as the general UTF-8 decoder does', (_name, bytes) => {
    expect(utf8Text(bytes)).toBe(bytes.toString('utf8'));
  });

  it('decodes a view into a larger buffer, not the bytes around it', () => {
    const whole = Buffer.from('xxhéllo\nyy');
    expect(utf8Text(whole.subarray(2, whole.length - 2))).toBe('héllo\n');
    expect(utf8Text(Buffer.from('abcdef').subarray(1, 4))).toBe('bcd');
  });
});
