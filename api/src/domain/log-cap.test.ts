import { applyLogCap, contiguousUpTo } from './log-cap';

describe('log cap', () => {
  it('keeps what fits, turns the chunk holding the cap offset into the notice, drops the rest', () => {
    const chunks = [10, 10, 10, 10].map((bytes, i) => ({ seq: i + 1, bytes }));
    expect(applyLogCap(chunks, 0, 25).map((d) => d.kind)).toEqual(['keep', 'keep', 'truncate', 'drop']);
    // exactly at the cap: the chunk ending there fits, the next one is the truncation point
    expect(applyLogCap(chunks, 0, 20).map((d) => d.kind)).toEqual(['keep', 'keep', 'truncate', 'drop']);
  });

  it('truncates exactly once however the stream is split into batches', () => {
    for (let trial = 0; trial < 200; trial += 1) {
      const sizes = Array.from({ length: 30 }, (_, i) => (i * 7919 + trial * 31) % 50);
      const cap = 100 + ((trial * 13) % 500);
      let offset = 0;
      let truncations = 0;
      let seq = 0;
      for (let i = 0; i < sizes.length; ) {
        const n = 1 + ((trial + i) % 4);
        const batch = sizes.slice(i, i + n).map((bytes) => ({ seq: ++seq, bytes }));
        truncations += applyLogCap(batch, offset, cap).filter((d) => d.kind === 'truncate').length;
        offset += batch.reduce((a, c) => a + c.bytes, 0);
        i += n;
      }
      expect(truncations).toBe(offset > cap ? 1 : 0);
    }
  });

  it('acknowledges up to the first gap', () => {
    expect(contiguousUpTo(0, [1, 2, 3, 5])).toBe(3);
    expect(contiguousUpTo(3, [5, 4])).toBe(5);
    expect(contiguousUpTo(0, [2])).toBe(0);
  });
});
