import { splicedJsonArray } from '@cmd-executor/json-text';
import { WebSocketServer, type RawData } from 'ws';
import { TextAsBytesWebSocket } from './text-as-bytes-socket';

describe('TextAsBytesWebSocket', () => {
  let server: WebSocketServer;
  let received: { text: string; isBinary: boolean }[];

  beforeEach(async () => {
    received = [];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket) => socket.on('message', (data: RawData, isBinary: boolean) => received.push({ text: String(data), isBinary })));
    await new Promise((r) => server.once('listening', r));
  });

  afterEach(async () => {
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });

  it('sends small, large and spliced messages as the text frames the strings would have been', async () => {
    const socket = new TextAsBytesWebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    await new Promise((r) => socket.once('open', r));
    const large = JSON.stringify({ text: `${'é✓😀'.repeat(3000)}${'x\n'.repeat(20_000)}` });
    const sent: Error[] = [];
    socket.send('{"type":"ping"}');
    socket.send(large, (err?: Error) => err && sent.push(err));
    socket.send(JSON.stringify({ chunks: splicedJsonArray(['{"data":"a\\nb"}', '"✓"']) }), {}, (err?: Error) => err && sent.push(err));
    await waitUntil(() => received.length === 3);
    expect(received).toEqual([
      { text: '{"type":"ping"}', isBinary: false },
      { text: large, isBinary: false },
      { text: '{"chunks":[{"data":"a\\nb"},"✓"]}', isBinary: false },
    ]);
    expect(sent).toEqual([]);
    socket.close();
  });
});

async function waitUntil(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
