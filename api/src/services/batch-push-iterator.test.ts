import { BatchPushIterator } from './batch-push-iterator';

const size = (s: string): number => s.length;

describe('BatchPushIterator', () => {
  it('hands an idle consumer each push at once, without waiting for more', async () => {
    const it = new BatchPushIterator<string>(size, 100, 100);
    const pending = it.next();
    void it.push(['a']);
    await expect(pending).resolves.toEqual({ value: ['a'], done: false });
  });

  it('gives a busy consumer everything queued since its last pull in one batch, in order', async () => {
    const it = new BatchPushIterator<string>(size, 100, 100);
    void it.push(['a']);
    void it.push(['b', 'c']);
    void it.push(['d']);
    await expect(it.next()).resolves.toEqual({ value: ['a', 'b', 'c', 'd'], done: false });
    void it.push(['e']);
    it.end();
    await expect(it.next()).resolves.toEqual({ value: ['e'], done: false });
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('cuts a batch at maxBatch, but always hands over at least one item', async () => {
    const it = new BatchPushIterator<string>(size, 4, 100);
    void it.push(['ab', 'cd', 'e', 'toolarge', 'f']);
    await expect(it.next()).resolves.toEqual({ value: ['ab', 'cd'], done: false });
    await expect(it.next()).resolves.toEqual({ value: ['e'], done: false });
    await expect(it.next()).resolves.toEqual({ value: ['toolarge'], done: false });
    await expect(it.next()).resolves.toEqual({ value: ['f'], done: false });
  });

  it('holds a producer above the high-water mark until the consumer pulls', async () => {
    const it = new BatchPushIterator<string>(size, 100, 3);
    await it.push(['abc']);
    let released = false;
    const slow = it.push(['d']).then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    await it.next();
    await slow;
    expect(released).toBe(true);
  });

  it('return() ends a pending next() at once and runs the close handlers', async () => {
    const it = new BatchPushIterator<string>(size, 100, 100);
    const closed = jest.fn();
    it.onClose(closed);
    const pending = it.next();
    await it.return();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(closed).toHaveBeenCalledTimes(1);
    expect(it.closed).toBe(true);
  });

  it('passes an error to the consumer after what was queued', async () => {
    const it = new BatchPushIterator<string>(size, 100, 100);
    void it.push(['a']);
    it.end(new Error('boom'));
    await expect(it.next()).resolves.toEqual({ value: ['a'], done: false });
    await expect(it.next()).rejects.toThrow('boom');
  });
});
