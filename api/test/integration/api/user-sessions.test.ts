import jwt from 'jsonwebtoken';
import { Types } from 'mongoose';
import type { Client } from 'graphql-ws';
import { createUser } from '@cmd-executor/test-support/accounts';
import { eventually } from '@cmd-executor/test-support/eventually';
import { errorCode, gql, login, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import { AuditEntryModel, UserModel } from '../../../src/storage/models';

/**
 * A session follows its user: the role is the store's, and an admin's role change, disable or
 * "sign out everywhere" takes effect at once — HTTP requests and open WebSockets, on every replica.
 */
jest.setTimeout(60_000);

const ME = '{ me { username role } }';
const ADMIN_ONLY = '{ users { username } }';
const SET_ROLE = 'mutation($id: ID!, $r: Role!) { setUserRole(id: $id, role: $r) { role } }';
const DISABLE = 'mutation($id: ID!) { disableUser(id: $id) { disabled } }';
const ENABLE = 'mutation($id: ID!) { enableUser(id: $id) { disabled } }';
const REVOKE = 'mutation($id: ID!) { revokeSessions(userId: $id) { id } }';

let a: TestApi;
let b: TestApi;
const clients: Client[] = [];
beforeAll(async () => {
  a = await startTestApi();
  b = await startTestApi({ mongoUri: a.mongoUri, redisPrefix: a.redisPrefix });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await b?.close();
  await a?.close();
});

/** An open socket on `api` (not lazy: it stays open between operations); resolves with its close code. */
function openSocket(api: TestApi, token: string): Promise<number> {
  return new Promise<number>((resolve) => {
    clients.push(wsClient(api.wsUrl, { authToken: token }, { lazy: false, onClosed: (code) => resolve(code) }));
  });
}

async function adminDoes(query: string, vars: Record<string, unknown>) {
  const r = await gql(a.url, query, vars, { token: a.adminToken });
  expect(r.errors).toBeUndefined();
  return r;
}

const settle = () => new Promise((r) => setTimeout(r, 300));

it('refuses a correctly signed token for a user that does not exist (HTTP and WebSocket 4403)', async () => {
  const forged = jwt.sign({ role: 'ADMIN', username: 'ghost', tv: 0 }, a.config.auth.jwtSecret, { algorithm: 'HS256', subject: new Types.ObjectId().toHexString(), expiresIn: 600 });
  for (const api of [a, b]) {
    expect(errorCode(await gql(api.url, ADMIN_ONLY, undefined, { token: forged }))).toBe('UNAUTHENTICATED');
    expect(await openSocket(api, forged)).toBe(4403);
  }
});

it('takes the role from the store: a promotion and a demotion apply to the token already held, and close its sockets on both replicas', async () => {
  const carol = await createUser(a, 'carol');
  expect(errorCode(await gql(b.url, ADMIN_ONLY, undefined, { token: carol.token }))).toBe('FORBIDDEN');
  const onA = openSocket(a, carol.token);
  const onB = openSocket(b, carol.token);
  await settle();

  await adminDoes(SET_ROLE, { id: carol.id, r: 'ADMIN' });
  expect(await onA).toBe(4403);
  expect(await onB).toBe(4403);
  for (const api of [a, b]) {
    const r = await gql<{ users: unknown[] }>(api.url, ADMIN_ONLY, undefined, { token: carol.token });
    expect(r.errors).toBeUndefined();
  }
  await adminDoes(SET_ROLE, { id: carol.id, r: 'USER' });
  expect(errorCode(await gql(a.url, ADMIN_ONLY, undefined, { token: carol.token }))).toBe('FORBIDDEN');
  // the other replica learns it through pub/sub (or, at worst, its short cache)
  await eventually(async () => (errorCode(await gql(b.url, ADMIN_ONLY, undefined, { token: carol.token })) === 'FORBIDDEN' ? true : undefined), 5_000, 'replica b to see the demotion');
});

it('disableUser ends sessions and sign-in at once; enableUser lets the same token back in', async () => {
  const dave = await createUser(a, 'dave');
  const onB = openSocket(b, dave.token);
  await settle();
  await adminDoes(DISABLE, { id: dave.id });
  expect(await onB).toBe(4403);
  for (const api of [a, b]) expect(errorCode(await gql(api.url, ME, undefined, { token: dave.token }))).toBe('UNAUTHENTICATED');
  await expect(login(a.url, 'dave', dave.password)).rejects.toThrow(/login failed/);
  expect(await openSocket(a, dave.token)).toBe(4403);

  await adminDoes(ENABLE, { id: dave.id });
  await eventually(async () => ((await gql(b.url, ME, undefined, { token: dave.token })).data?.me ? true : undefined), 5_000, 'dave back on b');
  await login(a.url, 'dave', dave.password);
});

it('revokeSessions ends every token signed before it; a new sign-in works', async () => {
  const erin = await createUser(a, 'erin');
  const second = await login(a.url, 'erin', erin.password);
  const onA = openSocket(a, second);
  await settle();
  await adminDoes(REVOKE, { id: erin.id });
  expect(await onA).toBe(4403);
  for (const token of [erin.token, second]) {
    for (const api of [a, b]) expect(errorCode(await gql(api.url, ME, undefined, { token }))).toBe('UNAUTHENTICATED');
  }
  const fresh = await login(a.url, 'erin', erin.password);
  const client = wsClient(b.wsUrl, { authToken: fresh });
  clients.push(client);
  expect((await wsRequest<{ me: { username: string } }>(client, ME)).data?.me.username).toBe('erin');
});

it('only admins may change access; an admin cannot lock themself out; each change is audited', async () => {
  const frank = await createUser(a, 'frank');
  for (const [q, v] of [[SET_ROLE, { id: frank.id, r: 'ADMIN' }], [DISABLE, { id: frank.id }], [ENABLE, { id: frank.id }], [REVOKE, { id: frank.id }]] as const) {
    expect(errorCode(await gql(a.url, q, v, { token: frank.token }))).toBe('FORBIDDEN');
  }
  const adminId = (jwt.decode(a.adminToken) as { sub: string }).sub;
  expect(errorCode(await gql(a.url, DISABLE, { id: adminId }, { token: a.adminToken }))).toBe('BAD_USER_INPUT');
  expect(errorCode(await gql(a.url, SET_ROLE, { id: adminId, r: 'USER' }, { token: a.adminToken }))).toBe('BAD_USER_INPUT');
  expect(errorCode(await gql(a.url, DISABLE, { id: new Types.ObjectId().toHexString() }, { token: a.adminToken }))).toBe('NOT_FOUND');

  await adminDoes(SET_ROLE, { id: frank.id, r: 'ADMIN' });
  await adminDoes(DISABLE, { id: frank.id });
  await adminDoes(ENABLE, { id: frank.id });
  await adminDoes(REVOKE, { id: frank.id });
  // frank's own sign-ins are audited too (auth.*); these are the admin's changes.
  const entries = await AuditEntryModel.find({ targetId: frank.id, action: /^user\./ }).sort({ at: 1 }).lean().exec();
  expect(entries.map((e) => [e.action, String(e.actorId)])).toEqual([
    ['user.create', adminId],
    ['user.setRole', adminId],
    ['user.disable', adminId],
    ['user.enable', adminId],
    ['user.revokeSessions', adminId],
  ]);
  expect(entries[1]!.details).toMatchObject({ from: 'USER', to: 'ADMIN' });
});

it('lists a job whose creator no longer exists with no creator, not an error', async () => {
  const gone = await createUser(a, 'gone');
  const created = await gql<{ createJob: { id: string } }>(a.url, 'mutation { createJob(input: {command: "echo orphan"}) { id } }', undefined, { token: gone.token });
  expect(created.errors).toBeUndefined();
  await UserModel.deleteOne({ _id: gone.id }).exec();
  const list = await gql<{ jobs: { edges: Array<{ node: { id: string; createdBy: { username: string } | null } }> } }>(
    a.url,
    '{ jobs(first: 50) { edges { node { id createdBy { username } } } } }',
    undefined,
    { token: a.adminToken },
  );
  expect(list.errors).toBeUndefined();
  const nodes = list.data!.jobs.edges.map((e) => e.node);
  expect(nodes.find((n) => n.id === created.data!.createJob.id)).toEqual({ id: created.data!.createJob.id, createdBy: null });
  // and its session is refused once the short status cache expires (removed behind the API's back, no event)
  await eventually(async () => (errorCode(await gql(a.url, ME, undefined, { token: gone.token })) === 'UNAUTHENTICATED' ? true : undefined), 5_000, 'the session of a removed user to end');
});
