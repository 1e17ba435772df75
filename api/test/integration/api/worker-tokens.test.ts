import type { Client } from 'graphql-ws';
import { Types } from 'mongoose';
import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import { AuditEntryModel, WorkerTokenModel } from '../../../src/storage/models';
import { hashWorkerToken } from '../../../src/auth/worker-token';

const CREATE = 'mutation($n: String!, $l: [String!]) { createWorkerToken(name: $n, labels: $l) { id token workerName labels expiresAt } }';
const REVOKE = 'mutation($id: ID!) { revokeWorkerToken(id: $id) }';
const HEARTBEAT = 'mutation { heartbeat(runningJobs: []) { leaseExpiresAt } }';

let t: TestApi;
let user: { id: string; token: string };
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestApi();
  user = await createUser(t, 'plain-user');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.close();
});

it('only an admin mints worker tokens; the token is shown once and stored only as a hash; both admin actions are audited', async () => {
  const denied = await gql(t.url, CREATE, { n: 'w1' }, { token: user.token });
  expect(errorCode(denied)).toBe('FORBIDDEN');
  const anon = await gql(t.url, CREATE, { n: 'w1' });
  expect(errorCode(anon)).toBe('UNAUTHENTICATED');

  const r = await gql<{ createWorkerToken: { id: string; token: string; workerName: string; labels: string[] } }>(t.url, CREATE, { n: 'w1', l: ['linux', 'gpu'] }, { token: t.adminToken });
  expect(r.errors).toBeUndefined();
  const wt = r.data!.createWorkerToken;
  expect(wt).toMatchObject({ workerName: 'w1', labels: ['linux', 'gpu'] });
  expect(wt.token).toMatch(/^cwt\.[0-9a-f]{24}\.0\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/);

  const stored = await WorkerTokenModel.findById(wt.id).lean();
  expect(stored?.tokenHash).toBe(hashWorkerToken(wt.token));
  expect(JSON.stringify(stored)).not.toContain(wt.token.split('.')[4]);

  await gql(t.url, REVOKE, { id: wt.id }, { token: t.adminToken });
  const actions = (await AuditEntryModel.find({ targetId: wt.id }).lean()).map((e) => e.action).sort();
  expect(actions).toEqual(['workerToken.create', 'workerToken.revoke']);
  const userCreate = await AuditEntryModel.findOne({ action: 'user.create', targetId: user.id }).lean();
  expect(userCreate).not.toBeNull();
});

it('refuses bad worker-token input with BAD_USER_INPUT', async () => {
  const badName = await gql(t.url, CREATE, { n: ' ' }, { token: t.adminToken });
  expect(errorCode(badName)).toBe('BAD_USER_INPUT');
  expect(badName.errors?.[0].extensions?.field).toBe('name');
  const badLabel = await gql(t.url, CREATE, { n: 'ok', l: ['fine', 'not fine'] }, { token: t.adminToken });
  expect(badLabel.errors?.[0].extensions?.field).toBe('labels[1]');
});

it('a worker token is accepted from x-worker-token, Bearer and connectionParams; forged, unknown and revoked ones are refused', async () => {
  const wt = await createWorkerToken(t, 'w2');
  const asWorker = '{ __typename }';
  const variants: Array<Record<string, string>> = [{ 'x-worker-token': wt.token }, { authorization: `Bearer ${wt.token}` }];
  for (const headers of variants) {
    const r = await gql(t.url, asWorker, undefined, { headers });
    expect(r.status).toBe(200);
    // The worker is known (not anonymous): a user operation says FORBIDDEN, not UNAUTHENTICATED.
    expect(errorCode(await gql(t.url, '{ jobs { edges { cursor } } }', undefined, { headers }))).toBe('FORBIDDEN');
  }
  const ws = wsClient(t.wsUrl, { workerToken: wt.token });
  clients.push(ws);
  await expect(wsRequest(ws, asWorker)).resolves.toEqual({ data: { __typename: 'Query' } });

  const [, id, exp, nonce, mac] = wt.token.split('.');
  const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
  const forged = [
    `cwt.${id}.${exp}.${nonce}.${flipped}`,
    `cwt.${id}.9999999999.${nonce}.${mac}`,
    `cwt.${id}.${exp}.${nonce}x.${mac}`,
    `cwt.${id}.${exp}.${mac}`,
    `cwt.${new Types.ObjectId().toHexString()}.${exp}.${nonce}.${mac}`,
    'cwt.garbage',
  ];
  for (const token of forged) {
    const r = await gql(t.url, '{ jobs { edges { cursor } } }', undefined, { headers: { 'x-worker-token': token } });
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
  }

  const closed = new Promise<number>((resolve) => {
    // Not lazy: the socket stays open with no operation running, as a worker's does between jobs.
    const watcher = wsClient(t.wsUrl, { workerToken: wt.token }, { lazy: false, onClosed: (code) => resolve(code) });
    clients.push(watcher);
  });
  await new Promise((r) => setTimeout(r, 200));
  const revoked = await gql<{ revokeWorkerToken: boolean }>(t.url, REVOKE, { id: wt.id }, { token: t.adminToken });
  expect(revoked.data?.revokeWorkerToken).toBe(true);
  // Open sockets of a revoked token are closed with 4403 (clients must not retry).
  expect(await closed).toBe(4403);
  const after = await gql(t.url, '{ jobs { edges { cursor } } }', undefined, { headers: { 'x-worker-token': wt.token } });
  expect(errorCode(after)).toBe('UNAUTHENTICATED');
  const again = await gql<{ revokeWorkerToken: boolean }>(t.url, REVOKE, { id: wt.id }, { token: t.adminToken });
  expect(again.data?.revokeWorkerToken).toBe(false);
});

it('a WebSocket with a refused credential is closed with 4403', async () => {
  for (const params of [{ workerToken: 'cwt.nope' }, { authToken: 'not.a.jwt' }]) {
    const code = await new Promise<number>((resolve) => {
      const c = wsClient(t.wsUrl, params, { onClosed: (c2) => resolve(c2) });
      clients.push(c);
      void wsRequest(c, '{ __typename }').catch(() => undefined);
    });
    expect(code).toBe(4403);
  }
});

it('user tokens cannot call worker operations and worker tokens cannot call user ones (FORBIDDEN)', async () => {
  const wt = await createWorkerToken(t, 'w3');
  expect(errorCode(await gql(t.url, HEARTBEAT, undefined, { token: user.token }))).toBe('FORBIDDEN');
  expect(errorCode(await gql(t.url, HEARTBEAT, undefined, { token: t.adminToken }))).toBe('FORBIDDEN');
  expect(errorCode(await gql(t.url, HEARTBEAT))).toBe('UNAUTHENTICATED');
  for (const q of ['{ workers { id } }', '{ users { id } }', 'mutation { createJob(input: {command: "x"}) { id } }', 'mutation { createWorkerToken(name: "x") { id } }']) {
    expect(errorCode(await gql(t.url, q, undefined, { headers: { 'x-worker-token': wt.token } }))).toBe('FORBIDDEN');
  }
  const ws = wsClient(t.wsUrl, { workerToken: wt.token });
  clients.push(ws);
  const sub = await new Promise<unknown>((resolve) => {
    ws.subscribe({ query: 'subscription { jobUpdated { id } }' }, { next: (v) => resolve(v.errors?.[0]), error: resolve, complete: () => undefined });
  });
  expect((sub as { extensions?: { code?: string } }).extensions?.code).toBe('FORBIDDEN');
});
