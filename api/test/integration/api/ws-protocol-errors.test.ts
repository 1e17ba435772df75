/**
 * A client that breaks the WebSocket protocol gets the close code RFC 6455 gives for it, and
 * the operator one log line naming what was wrong — not graphql-ws's "Internal error emitted on a
 * WebSocket socket. Please check your implementation." and a stack trace on stderr. Other
 * sockets carry on. The same for a connection whose credential cannot be checked: 4500 and one
 * log line.
 */
import net from 'node:net';
import { createUser } from '@cmd-executor/test-support/accounts';
import { openRawGraphqlWs } from '@cmd-executor/test-support/raw-graphql-ws';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

jest.setTimeout(30_000);

let t: TestApi;
let userToken: string;
const logs: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  t = await startTestApi({ logs });
  userToken = (await createUser(t, 'framer')).token;
});
afterAll(async () => {
  await t?.close();
});

/** Upgrades a bare TCP socket on /graphql, writes `frame` and resolves with the close code the server sent. */
async function closeCodeFor(frame: Buffer): Promise<number | undefined> {
  const { hostname, port } = new URL(t.wsUrl);
  const socket = net.connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET /graphql HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
  );
  let received = Buffer.alloc(0);
  let sent = false;
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    if (!sent && received.includes('\r\n\r\n')) {
      sent = true;
      socket.write(frame);
    }
  });
  await new Promise((resolve) => socket.once('close', resolve));
  const head = received.indexOf('\r\n\r\n');
  expect(received.subarray(0, head).toString()).toMatch(/^HTTP\/1\.1 101 /);
  const frames = received.subarray(head + 4);
  // The server's close frame: opcode 8, unmasked, the status code in its first two bytes.
  return frames[0] === 0x88 ? frames.readUInt16BE(2) : undefined;
}

/** A masked client frame (a zero mask leaves the payload as it is). */
const masked = (opcode: number, payload: Buffer) => Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);

it('closes with 1002 / 1007 / 1002 for an unmasked frame, invalid UTF-8 and an unknown opcode, logging one line for each and nothing on stderr', async () => {
  const errors: unknown[][] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
  try {
    const user = await openRawGraphqlWs(t.wsUrl, { authToken: userToken });
    expect(await closeCodeFor(Buffer.from([0x81, 0x02, 0x68, 0x69]))).toBe(1002);
    expect(await closeCodeFor(masked(0x1, Buffer.from([0xff, 0xfe])))).toBe(1007);
    expect(await closeCodeFor(masked(0x3, Buffer.from('hi')))).toBe(1002);

    const lines = logs.filter((l) => l.msg === 'websocket closed: the client broke the WebSocket protocol');
    expect(lines.map((l) => l.code)).toEqual(['WS_ERR_EXPECTED_MASK', 'WS_ERR_INVALID_UTF8', 'WS_ERR_INVALID_OPCODE']);
    expect(lines[0]).toMatchObject({ caller: 'pending', transport: 'ws', reason: 'Invalid WebSocket frame: MASK must be set' });
    expect(errors.map((args) => String(args[0]))).toEqual([]);

    user.send({ id: 'me', type: 'subscribe', payload: { query: '{ me { username } }' } });
    expect(await user.waitFor(() => user.messages.some((m) => m.id === 'me' && m.type === 'next'))).toBe(true);
    user.ws.terminate();
  } finally {
    spy.mockRestore();
  }
});

it('a credential that cannot be checked (the store failing) closes the socket with 4500 and logs one line, nothing on stderr', async () => {
  const errors: unknown[][] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
  const auth = t.container.services.auth;
  const failOnce = jest.spyOn(auth, 'principalFor').mockRejectedValueOnce(new Error('server selection timed out'));
  try {
    const s = await openRawGraphqlWs(t.wsUrl, { authToken: userToken });
    expect(await s.waitClosed()).toEqual({ code: 4500, reason: 'Internal server error' });
    expect(s.messages).toEqual([]);
    expect(logs.filter((l) => l.msg === 'websocket connection closed: its credential could not be checked')).toEqual([
      expect.objectContaining({ transport: 'ws', err: expect.objectContaining({ message: 'server selection timed out' }) as unknown }),
    ]);
    expect(errors.map((args) => String(args[0]))).toEqual([]);

    // The next connection is checked as usual.
    const again = await openRawGraphqlWs(t.wsUrl, { authToken: userToken });
    expect(again.messages.map((m) => m.type)).toEqual(['connection_ack']);
    again.ws.terminate();
  } finally {
    failOnce.mockRestore();
    spy.mockRestore();
  }
});
