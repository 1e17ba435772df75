import { LogPosition } from './log-position';

describe('LogPosition', () => {
  it('delivers each chunk once, in order, when a replay overlaps what was seen', () => {
    const p = new LogPosition(1);
    const seen = [1, 2, 3, 2, 3, 4].filter((seq) => p.advance({ attempt: 1, seq }));
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(p).toMatchObject({ attempt: 1, seq: 4 });
  });

  it('a later attempt starts again at seq 1; chunks of an earlier attempt are then old', () => {
    const p = new LogPosition(1, 7);
    expect(p.advance({ attempt: 2, seq: 1 })).toBe(true);
    expect(p.advance({ attempt: 1, seq: 8 })).toBe(false);
    expect(p.advance({ attempt: 2, seq: 1 })).toBe(false);
    expect(p.advance({ attempt: 2, seq: 2 })).toBe(true);
  });
});
