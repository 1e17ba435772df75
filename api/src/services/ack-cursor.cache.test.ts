import { AckCursorCache } from './ack-cursor.cache';

describe('AckCursorCache', () => {
  it('knows nothing of an attempt until it begins or something is remembered', () => {
    const c = new AckCursorCache();
    expect(c.get('j', 1)).toBeUndefined();
    c.begin('j', 1);
    expect(c.get('j', 1)).toEqual({ acked: 0, above: new Set() });
    expect(c.get('j', 2)).toBeUndefined();
  });

  it('begin keeps what an earlier batch of the attempt recorded', () => {
    const c = new AckCursorCache();
    c.remember('j', 1, 3, []);
    c.begin('j', 1);
    expect(c.get('j', 1)?.acked).toBe(3);
  });

  it('holds seqs above a gap and moves acked forward once the gap fills', () => {
    const c = new AckCursorCache();
    c.remember('j', 1, 2, [4, 5]);
    expect(c.get('j', 1)).toEqual({ acked: 2, above: new Set([4, 5]) });
    c.remember('j', 1, 3, []);
    expect(c.get('j', 1)).toEqual({ acked: 5, above: new Set() });
  });

  it('never lowers acked, and drops seqs at or below it', () => {
    const c = new AckCursorCache();
    c.remember('j', 1, 7, []);
    c.remember('j', 1, 2, [1, 6, 9]);
    expect(c.get('j', 1)).toEqual({ acked: 7, above: new Set([9]) });
  });

  it('keeps the same cursor object across updates', () => {
    const c = new AckCursorCache();
    c.remember('j', 1, 1, []);
    const first = c.get('j', 1);
    c.remember('j', 1, 2, [4]);
    expect(c.get('j', 1)).toBe(first);
  });

  it('forgets an attempt that ended', () => {
    const c = new AckCursorCache();
    c.remember('j', 1, 1, []);
    c.forget('j', 1);
    expect(c.get('j', 1)).toBeUndefined();
  });

  it('evicts the oldest attempt past maxCursors', () => {
    const c = new AckCursorCache({ maxCursors: 2 });
    c.remember('a', 1, 1, []);
    c.remember('b', 1, 1, []);
    c.remember('c', 1, 1, []);
    expect(c.size).toBe(2);
    expect(c.get('a', 1)).toBeUndefined();
    expect(c.get('b', 1)?.acked).toBe(1);
    expect(c.get('c', 1)?.acked).toBe(1);
  });

  it('drops a cursor whose gap never fills once above grows past maxAbove', () => {
    const c = new AckCursorCache({ maxAbove: 3 });
    c.remember('j', 1, 1, [3, 4, 5]);
    expect(c.get('j', 1)?.above.size).toBe(3);
    c.remember('j', 1, 1, [6]);
    expect(c.get('j', 1)).toBeUndefined();
  });
});
