import { Chunker, cutIndex } from './chunker';

const bytes = (s: string): number => Buffer.byteLength(s);

describe('Chunker', () => {
  it('keeps one open chunk per stream and closes it on a stream switch, in arrival order', () => {
    const c = new Chunker(1024);
    expect(c.push('STDOUT', 'a', 1)).toEqual([]);
    expect(c.push('STDOUT', 'b', 2)).toEqual([]);
    const closed = c.push('STDERR', 'x', 3);
    expect(closed).toEqual([{ stream: 'STDOUT', data: 'ab', at: 1, bytes: 2 }]);
    expect(c.push('STDOUT', 'c', 4)).toEqual([{ stream: 'STDERR', data: 'x', at: 3, bytes: 1 }]);
    expect(c.flush()).toEqual([{ stream: 'STDOUT', data: 'c', at: 4, bytes: 1 }]);
    expect(c.flush()).toEqual([]);
    expect(c.hasPending).toBe(false);
  });

  it('cuts at maxBytes without splitting multi-byte characters', () => {
    const c = new Chunker(10);
    const text = 'ééééééé€€€😀😀x'; // 2-, 3- and 4-byte characters
    const out = [...c.push('STDOUT', text, 0), ...c.flush()];
    expect(out.map((ch) => ch.data).join('')).toBe(text);
    for (const ch of out) {
      expect(ch.bytes).toBeLessThanOrEqual(10);
      expect(ch.bytes).toBe(bytes(ch.data));
      expect(ch.data).not.toMatch(/[\ud800-\udbff]$/);
      expect(Buffer.from(ch.data, 'utf8').toString('utf8')).toBe(ch.data);
    }
    expect(out.length).toBeGreaterThan(2);
  });

  it('closes a chunk exactly at the limit and splits a huge write into full chunks', () => {
    const c = new Chunker(64 * 1024);
    const out = c.push('STDERR', 'y'.repeat(64 * 1024 * 3 + 5), 7);
    expect(out.map((ch) => ch.bytes)).toEqual([65536, 65536, 65536]);
    expect(c.flush().map((ch) => ch.bytes)).toEqual([5]);
  });

  it('ignores empty writes', () => {
    const c = new Chunker(8);
    expect(c.push('STDOUT', '', 0)).toEqual([]);
    expect(c.hasPending).toBe(false);
  });
});

describe('cutIndex', () => {
  it('finds the longest prefix within the byte budget', () => {
    expect(cutIndex('abcdef', 4)).toBe(4);
    expect(cutIndex('€€€', 7)).toBe(2);
    expect(cutIndex('😀😀', 5)).toBe(2);
    expect(cutIndex('😀😀', 3)).toBe(0);
    expect(cutIndex('ab', 10)).toBe(2);
  });
});
