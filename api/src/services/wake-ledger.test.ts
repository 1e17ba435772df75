import { WakeLedger } from './wake-ledger';

describe('WakeLedger', () => {
  it('a worker that never found the queue empty knows nothing', () => {
    expect(new WakeLedger().stillIdle(undefined)).toBe(false);
  });

  it('wakes whose jobs are spoken for leave what workers knew before them standing', () => {
    const l = new WakeLedger();
    const before = l.current;
    l.begin();
    l.begin();
    expect(l.stillIdle(before)).toBe(true);
  });

  it('a generation that may have left a job waiting undoes what workers knew before it, not after', () => {
    const l = new WakeLedger();
    const before = l.current;
    const g = l.begin();
    const after = l.begin();
    l.block(g);
    expect(l.stillIdle(before)).toBe(false);
    expect(l.stillIdle(g)).toBe(true);
    expect(l.stillIdle(after)).toBe(true);
  });

  it('an older block never undoes a newer one', () => {
    const l = new WakeLedger();
    const g = l.begin();
    const h = l.begin();
    l.block(h);
    l.block(g);
    expect(l.stillIdle(g)).toBe(false);
    expect(l.stillIdle(h)).toBe(true);
  });
});
