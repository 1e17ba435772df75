import { startMongoWireServer } from '@cmd-executor/mongo-wire';
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import type { Client } from 'graphql-ws';

const OLD_JWT = 'old-jwt-secret-for-rotation-test-0123456789ab';
const NEW_JWT = 'new-jwt-secret-for-rotation-test-0123456789ab';
const OLD_WORKER = 'old-worker-secret-for-rotation-test-012345678';
const NEW_WORKER = 'new-worker-secret-for-rotation-test-012345678';

let mongo: Awaited<ReturnType<typeof startMongoWireServer>>;
let t: TestApi | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  mongo = await startMongoWireServer({ port: 0 });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  await mongo?.close();
});

const mongoUri = () => `${mongo.uri}/rotation`;
const ME = '{ me { username role } }';

/** HTTP answer and WebSocket outcome for one user token. */
async function userTokenAccepted(api: TestApi, token: string): Promise<{ http: unknown; ws: string }> {
  const http = await gql<{ me: { username: string } | null }>(api.url, ME, undefined, { token });
  let code = 0;
  const ws = wsClient(api.wsUrl, { authToken: token }, { onClosed: (c) => (code = c) });
  clients.push(ws);
  const r = await wsRequest<{ me: { username: string } }>(ws, ME).catch(() => null);
  return { http: http.errors ? errorCode(http) : http.data?.me?.username, ws: r?.data?.me?.username ?? `closed ${code}` };
}

async function workerTokenAccepted(api: TestApi, token: string): Promise<{ http: unknown; ws: string }> {
  // A worker calling a user operation gets FORBIDDEN (known), a refused one UNAUTHENTICATED.
  const http = errorCode(await gql(api.url, ME.replace('me', 'jobs').replace('{ username role }', '{ edges { cursor } }'), undefined, { headers: { 'x-worker-token': token } }));
  let code = 0;
  const ws = wsClient(api.wsUrl, { workerToken: token }, { onClosed: (c) => (code = c) });
  clients.push(ws);
  const r = await wsRequest<{ __typename: string }>(ws, '{ __typename }').catch(() => null);
  return { http, ws: r?.data?.__typename ?? `closed ${code}` };
}

it('a JWT and a worker token signed with a previous secret verify while it is listed, and are refused once it is removed', async () => {
  t = await startTestApi({ mongoUri: mongoUri(), env: { JWT_SECRET: OLD_JWT, WORKER_TOKEN_SECRET: OLD_WORKER } });
  const oldAdmin = t.adminToken;
  const oldWorker = await createWorkerToken(t, 'rot-w');
  await t.close();

  t = await startTestApi({
    mongoUri: mongoUri(),
    env: { JWT_SECRET: NEW_JWT, JWT_SECRET_PREVIOUS: ` other-retired-secret-abcdefghijklmnopqrstuvwxyz , ${OLD_JWT}`, WORKER_TOKEN_SECRET: NEW_WORKER, WORKER_TOKEN_SECRET_PREVIOUS: OLD_WORKER },
  });
  expect(await userTokenAccepted(t, oldAdmin)).toEqual({ http: 'admin', ws: 'admin' });
  expect(await workerTokenAccepted(t, oldWorker.token)).toEqual({ http: 'FORBIDDEN', ws: 'Query' });
  // New tokens use the current secret: they verify on an API that knows only it.
  const newAdmin = t.adminToken;
  const newWorker = await createWorkerToken(t, 'rot-w2');
  expect(newAdmin).not.toBe(oldAdmin);
  await t.close();

  t = await startTestApi({ mongoUri: mongoUri(), env: { JWT_SECRET: NEW_JWT, WORKER_TOKEN_SECRET: NEW_WORKER } });
  expect(await userTokenAccepted(t, oldAdmin)).toEqual({ http: 'UNAUTHENTICATED', ws: 'closed 4403' });
  expect(await workerTokenAccepted(t, oldWorker.token)).toEqual({ http: 'UNAUTHENTICATED', ws: 'closed 4403' });
  expect(await userTokenAccepted(t, newAdmin)).toEqual({ http: 'admin', ws: 'admin' });
  expect(await workerTokenAccepted(t, newWorker.token)).toEqual({ http: 'FORBIDDEN', ws: 'Query' });
});
