import { LiveBuffer, OVERFLOWED } from './live-buffer';
import { PushIterator } from './push-iterator';

type Msg = { data?: string; status?: string };
const sizeOf = (m: Msg): number => m.data?.length ?? 0;
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('LiveBuffer', () => {
  it('hands over messages in order as they come, and undefined once the channel ended', async () => {
    const source = new PushIterator<Msg>();
    const buffer = new LiveBuffer(source, sizeOf, 100);
    const first = buffer.next();
    void source.push({ data: 'a' });
    await expect(first).resolves.toEqual({ data: 'a' });
    void source.push({ data: 'b' });
    void source.push({ status: 'RUNNING' });
    source.end();
    await settle();
    await expect(buffer.next()).resolves.toEqual({ data: 'b' });
    await expect(buffer.next()).resolves.toEqual({ status: 'RUNNING' });
    await expect(buffer.next()).resolves.toBeUndefined();
  });

  it('past maxBytes forgets the sized messages, says so once, keeps status changes, then holds again', async () => {
    const source = new PushIterator<Msg>();
    const buffer = new LiveBuffer(source, sizeOf, 10);
    void source.push({ data: '12345' });
    void source.push({ status: 'RUNNING' });
    void source.push({ data: '12345' });
    void source.push({ data: 'x' }); // 11 > 10: everything sized so far is forgotten
    void source.push({ data: 'y' }); // forgotten too, until the consumer has heard of it
    void source.push({ status: 'SUCCEEDED' });
    await settle();
    await expect(buffer.next()).resolves.toBe(OVERFLOWED);
    await expect(buffer.next()).resolves.toEqual({ status: 'RUNNING' });
    await expect(buffer.next()).resolves.toEqual({ status: 'SUCCEEDED' });
    void source.push({ data: 'after' });
    await expect(buffer.next()).resolves.toEqual({ data: 'after' });
    source.end();
    await expect(buffer.next()).resolves.toBeUndefined();
  });

  it('a message taken off frees its room', async () => {
    const source = new PushIterator<Msg>();
    const buffer = new LiveBuffer(source, sizeOf, 10);
    void source.push({ data: '1234567890' });
    await settle();
    await expect(buffer.next()).resolves.toEqual({ data: '1234567890' });
    void source.push({ data: '1234567890' });
    await settle();
    await expect(buffer.next()).resolves.toEqual({ data: '1234567890' });
  });

  it('a failing channel fails next()', async () => {
    const source = new PushIterator<Msg>();
    const buffer = new LiveBuffer(source, sizeOf, 10);
    source.end(new Error('channel gone'));
    await expect(buffer.next()).rejects.toThrow('channel gone');
  });
});
