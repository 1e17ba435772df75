import { EventEmitter } from 'node:events';
import mongoose from 'mongoose';
import { gql, wsClient } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, TEST_ADMIN, type TestApi } from '@cmd-executor/test-support/test-api';
import { installShutdownHandlers } from '../../../src/shutdown';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

it('on SIGTERM: finishes the in-flight request, closes WebSockets with 1001, refuses new connections, closes Mongo and Redis, exits 0', async () => {
  const proc = Object.assign(new EventEmitter(), { exit: jest.fn() });
  installShutdownHandlers(() => t.api.close(), t.api.container.logger, proc);

  let client: ReturnType<typeof wsClient> | undefined;
  const wsClosed = new Promise<number>((resolve) => {
    client = wsClient(t.wsUrl, { authToken: t.adminToken }, { lazy: false, onClosed: (code) => resolve(code) });
  });
  // Let the socket open and the connection be acknowledged.
  await new Promise((r) => setTimeout(r, 200));
  expect(t.api.container.redis?.status).toBe('ready');

  // SIGTERM arrives while a login (scrypt: tens of ms) is being handled.
  t.api.httpServer.once('request', () => proc.emit('SIGTERM'));
  const inFlight = await gql<{ login: { token: string } }>(t.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
    u: TEST_ADMIN.username,
    p: TEST_ADMIN.password,
  });
  expect(inFlight.status).toBe(200);
  expect(inFlight.data?.login.token).toMatch(/^ey/);

  expect(await wsClosed).toBe(1001);
  await client?.dispose();
  const deadline = Date.now() + 5000;
  while (proc.exit.mock.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(proc.exit).toHaveBeenCalledWith(0);

  await expect(fetch(t.url, { method: 'POST' })).rejects.toThrow();
  expect(t.api.httpServer.listening).toBe(false);
  expect(t.api.container.redis?.status).toBe('end');
  expect(mongoose.connection.readyState).toBe(mongoose.ConnectionStates.disconnected);
});
