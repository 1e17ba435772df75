import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { corkedSends } from './corked-sends';

/** A server socket with corkedSends, its raw TCP socket, and what its client received. */
async function corkedPair() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const serverSide = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (m) => received.push(String(m)));
  const [socket] = await serverSide;
  corkedSends(socket);
  const raw = (socket as unknown as { _socket: Socket })._socket;
  return {
    socket,
    raw,
    /** Resolves with what the client received once it has `count` messages (or after 5 s). */
    async receivedWhen(count: number): Promise<string[]> {
      const deadline = Date.now() + 5_000;
      while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      return received;
    },
    async close(): Promise<void> {
      client.close();
      socket.close();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

/** What one tick sends to a client leaves in one write: the socket stays corked until the tick ends. */
test('sends of one tick are held until the tick ends, then arrive whole and in order', async () => {
  const { socket, raw, receivedWhen, close } = await corkedPair();

  for (const m of ['one', 'two', 'three']) socket.send(m);
  expect(raw.writableCorked).toBe(1);
  expect(raw.writableLength).toBeGreaterThan(0); // held, not written
  await new Promise((resolve) => process.nextTick(resolve));
  expect(raw.writableCorked).toBe(0);

  socket.send('four'); // a later tick corks again
  expect(raw.writableCorked).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(raw.writableCorked).toBe(0);

  expect(await receivedWhen(4)).toEqual(['one', 'two', 'three', 'four']);
  await close();
});

/** A lone message after a quiet spell leaves once the promise callbacks queued before it have run, not at the end of the tick. */
test('after a quiet spell a send is released as a microtask; a busy socket keeps the tick-long cork', async () => {
  const { socket, raw, receivedWhen, close } = await corkedPair();
  const afterQueuedMicrotasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

  await new Promise((resolve) => setTimeout(resolve, 20)); // quiet
  socket.send('lone');
  socket.send('same moment'); // still held with it: one write
  expect(raw.writableCorked).toBe(1);
  await afterQueuedMicrotasks();
  expect(raw.writableCorked).toBe(0);

  socket.send('busy'); // just after a release: held to the end of the tick
  await afterQueuedMicrotasks();
  expect(raw.writableCorked).toBe(1);
  await new Promise((resolve) => process.nextTick(resolve));
  expect(raw.writableCorked).toBe(0);

  expect(await receivedWhen(3)).toEqual(['lone', 'same moment', 'busy']);
  await close();
});
