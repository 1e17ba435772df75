import { PushIterator } from './push-iterator';

describe('PushIterator', () => {
  it('delivers pushes in order and ends after the queue drains', async () => {
    const it = new PushIterator<number>();
    void it.push(1);
    void it.push(2);
    it.end();
    const got: number[] = [];
    for await (const v of it) got.push(v);
    expect(got).toEqual([1, 2]);
  });

  it('return() ends a pending next() at once and runs the close handlers', async () => {
    const it = new PushIterator<number>();
    const closed = jest.fn();
    it.onClose(closed);
    const pending = it.next();
    await it.return();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(closed).toHaveBeenCalledTimes(1);
    expect(it.closed).toBe(true);
  });

  it('holds a producer above the high-water mark until the consumer catches up', async () => {
    const it = new PushIterator<number>(1);
    await it.push(1);
    let released = false;
    const slow = it.push(2).then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    await it.next();
    await slow;
    expect(released).toBe(true);
  });

  it('passes an error to the consumer', async () => {
    const it = new PushIterator<number>();
    it.end(new Error('boom'));
    await expect(it.next()).rejects.toThrow('boom');
  });
});
