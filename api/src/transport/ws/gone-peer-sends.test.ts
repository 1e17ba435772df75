import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { settleSendsToGonePeers } from './gone-peer-sends';

const schema = buildSchema('type Query { big: String }');
const roots = { query: { big: 'x'.repeat(256 * 1024) } };

/**
 * A client that vanishes while answers to it are still being written (a killed agent, a closed
 * tab) is a disconnect, not a server fault: graphql-ws would print "Internal error occurred
 * during message handling. Please check your implementation." and a stack trace for each.
 */
test('answers pending to a client whose connection is reset leave no "internal error" on stderr, and the socket is let go', async () => {
  const errors: unknown[][] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  wss.on('connection', settleSendsToGonePeers);
  const server = useServer({ schema, roots }, wss);
  try {
    for (let round = 0; round < 3; round += 1) {
      const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, 'graphql-transport-ws');
      await once(client, 'open');
      client.send(JSON.stringify({ type: 'connection_init' }));
      await once(client, 'message'); // connection_ack: an operation before it is refused (4401)
      const raw = (client as unknown as { _socket: Socket })._socket;
      raw.pause(); // reads nothing more: the answers back up in the server's socket
      for (let id = 0; id < 40; id += 1) client.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: '{ big }' } }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      raw.resetAndDestroy();
      const deadline = Date.now() + 5_000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(wss.clients.size).toBe(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors.map((args) => String(args[0]))).toEqual([]);
  } finally {
    spy.mockRestore();
    await server.dispose();
  }
});
