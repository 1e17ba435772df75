import type { Client } from 'graphql-ws';
import { Types } from 'mongoose';
import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import { hashWorkerToken, mintWorkerToken } from '../../../src/auth/worker-token';
import { AuditEntryModel, WorkerTokenModel } from '../../../src/storage/models';

const ROTATE = 'mutation($id: ID!, $g: Int) { rotateWorkerToken(id: $id, graceSeconds: $g) { id token workerName labels expiresAt installCommand } }';
const CREATE = 'mutation($n: String!, $d: Int) { createWorkerToken(name: $n, expiresInDays: $d) { id token expiresAt } }';
const REVOKE = 'mutation($id: ID!) { revokeWorkerToken(id: $id) }';
const LIST = '{ workerTokens { id name labels createdAt lastUsedAt expiresAt revokedAt rotatedAt previousValidUntil } }';
/** A user operation: a known worker gets FORBIDDEN, a refused token UNAUTHENTICATED. */
const PROBE = '{ jobs { edges { cursor } } }';

let t: TestApi;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.close();
});

const probe = async (token: string) => errorCode(await gql(t.url, PROBE, undefined, { headers: { 'x-worker-token': token } }));

it('a rotated token keeps working during the grace period, then is refused; its open socket closes then; the new one works on', async () => {
  const wt = await createWorkerToken(t, 'rotating', ['linux']);
  const closed = new Promise<number>((resolve) => {
    const c = wsClient(t.wsUrl, { workerToken: wt.token }, { lazy: false, onClosed: (code) => resolve(code) });
    clients.push(c);
  });
  await new Promise((r) => setTimeout(r, 200));

  const r = await gql<{ rotateWorkerToken: { id: string; token: string; workerName: string; labels: string[]; installCommand: string } }>(t.url, ROTATE, { id: wt.id, g: 3 }, { token: t.adminToken });
  expect(r.errors).toBeUndefined();
  const next = r.data!.rotateWorkerToken;
  const rotatedAt = Date.now();
  expect(next).toMatchObject({ id: wt.id, workerName: 'rotating', labels: ['linux'] });
  expect(next.token).not.toBe(wt.token);
  expect(next.installCommand).toContain(next.token);

  expect(await probe(wt.token)).toBe('FORBIDDEN');
  expect(await probe(next.token)).toBe('FORBIDDEN');
  const code = await closed;
  expect(code).toBe(4403);
  // The socket closed at the end of the grace period, not at the rotation.
  expect(Date.now() - rotatedAt).toBeGreaterThanOrEqual(2500);
  expect(await probe(wt.token)).toBe('UNAUTHENTICATED');
  expect(await probe(next.token)).toBe('FORBIDDEN');
  const ws = wsClient(t.wsUrl, { workerToken: next.token });
  clients.push(ws);
  await expect(wsRequest(ws, '{ __typename }')).resolves.toEqual({ data: { __typename: 'Query' } });

  const actions = (await AuditEntryModel.find({ targetId: wt.id }).sort({ at: 1 }).lean()).map((e) => e.action);
  expect(actions).toEqual(['workerToken.create', 'workerToken.rotate']);
  const stored = await WorkerTokenModel.findById(wt.id).lean();
  expect(JSON.stringify(stored)).not.toContain(next.token.split('.').at(-1));
}, 30_000);

it('graceSeconds 0 ends the old token at once; the default grace is one hour; bad input and revoked tokens are refused', async () => {
  const a = await createWorkerToken(t, 'rot-now');
  const now = await gql<{ rotateWorkerToken: { token: string } }>(t.url, ROTATE, { id: a.id, g: 0 }, { token: t.adminToken });
  expect(await probe(a.token)).toBe('UNAUTHENTICATED');
  expect(await probe(now.data!.rotateWorkerToken.token)).toBe('FORBIDDEN');

  const b = await createWorkerToken(t, 'rot-default');
  const before = Date.now();
  await gql(t.url, ROTATE, { id: b.id }, { token: t.adminToken });
  expect(await probe(b.token)).toBe('FORBIDDEN');
  const list = await gql<{ workerTokens: Array<{ id: string; previousValidUntil: string | null; rotatedAt: string | null }> }>(t.url, LIST, undefined, { token: t.adminToken });
  const row = list.data!.workerTokens.find((x) => x.id === b.id)!;
  const grace = Date.parse(row.previousValidUntil!) - before;
  expect(grace).toBeGreaterThan(3590_000);
  expect(grace).toBeLessThan(3610_000);
  expect(row.rotatedAt).not.toBeNull();

  expect(errorCode(await gql(t.url, ROTATE, { id: b.id, g: -1 }, { token: t.adminToken }))).toBe('BAD_USER_INPUT');
  expect(errorCode(await gql(t.url, ROTATE, { id: new Types.ObjectId().toHexString() }, { token: t.adminToken }))).toBe('NOT_FOUND');
  await gql(t.url, REVOKE, { id: b.id }, { token: t.adminToken });
  // Revoking ends the token in its grace period too.
  expect(await probe(b.token)).toBe('UNAUTHENTICATED');
  expect(errorCode(await gql(t.url, ROTATE, { id: b.id }, { token: t.adminToken }))).toBe('CONFLICT');
  const user = await createUser(t, 'rot-user');
  expect(errorCode(await gql(t.url, ROTATE, { id: a.id }, { token: user.token }))).toBe('FORBIDDEN');
  expect(errorCode(await gql(t.url, LIST, undefined, { token: user.token }))).toBe('FORBIDDEN');
});

it('expiresInDays sets the expiry (kept by rotation); an expired token is refused', async () => {
  const r = await gql<{ createWorkerToken: { id: string; token: string; expiresAt: string } }>(t.url, CREATE, { n: 'expiring', d: 2 }, { token: t.adminToken });
  const created = r.data!.createWorkerToken;
  expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(2 * 86_400_000 - 60_000);
  expect(Date.parse(created.expiresAt) - Date.now()).toBeLessThanOrEqual(2 * 86_400_000);
  expect(await probe(created.token)).toBe('FORBIDDEN');
  const rotated = await gql<{ rotateWorkerToken: { expiresAt: string } }>(t.url, ROTATE, { id: created.id, g: 0 }, { token: t.adminToken });
  expect(Date.parse(rotated.data!.rotateWorkerToken.expiresAt) - Date.now()).toBeGreaterThan(2 * 86_400_000 - 60_000);
  expect(errorCode(await gql(t.url, CREATE, { n: 'bad', d: 0 }, { token: t.adminToken }))).toBe('BAD_USER_INPUT');

  // A token properly signed by this server whose expiry has passed.
  const id = new Types.ObjectId();
  const expired = mintWorkerToken(id.toHexString(), new Date(Date.now() - 1000), t.config.auth.workerTokenSecret);
  await WorkerTokenModel.create({ _id: id, name: 'expired', labels: [], tokenHash: hashWorkerToken(expired), expiresAt: new Date(Date.now() - 1000), createdById: new Types.ObjectId() });
  expect(await probe(expired)).toBe('UNAUTHENTICATED');
  const code = await new Promise<number>((resolve) => {
    const c = wsClient(t.wsUrl, { workerToken: expired }, { onClosed: (c2) => resolve(c2) });
    clients.push(c);
    void wsRequest(c, '{ __typename }').catch(() => undefined);
  });
  expect(code).toBe(4403);
});

it('workerTokens lists name, labels, created, last used, expiry and revocation, never the token', async () => {
  const wt = await createWorkerToken(t, 'listed', ['gpu']);
  await probe(wt.token);
  const list = await gql<{ workerTokens: Array<Record<string, unknown>> }>(t.url, LIST, undefined, { token: t.adminToken });
  expect(list.errors).toBeUndefined();
  const row = list.data!.workerTokens.find((x) => x.id === wt.id)!;
  expect(row).toMatchObject({ name: 'listed', labels: ['gpu'], expiresAt: null, revokedAt: null, rotatedAt: null });
  expect(Date.now() - Date.parse(String(row.createdAt))).toBeLessThan(60_000);
  // Recorded before the call that used it was answered.
  expect(Math.abs(Date.now() - Date.parse(String(row.lastUsedAt)))).toBeLessThan(60_000);
  expect(list.data!.workerTokens[0].id).toBe(wt.id); // newest first
  expect(JSON.stringify(list.data)).not.toContain(wt.token);
});
