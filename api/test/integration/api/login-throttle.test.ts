import { createUser } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, wsClient, wsRequest, type GqlResponse } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import type { Client } from 'graphql-ws';
import { AuditEntryModel } from '../../../src/storage/models';

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { user { username } } }';
/** LOGIN_FAILURES_MAX here (the default, 5, is checked in config.test.ts); fewer slow scrypt checks. */
const MAX = 3;
const BAD = 'bad-guess-123';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Behind one proxy (TRUST_PROXY=1): each attempt comes from the address the proxy appended. */
let proxied: TestApi;
/** No proxy trusted: X-Forwarded-For is the client's own words. */
let direct: TestApi;
const clients: Client[] = [];
let nextAddress = 1;
const freshAddress = () => `198.51.100.${nextAddress++}`;

beforeAll(async () => {
  const lockout = { LOGIN_FAILURES_MAX: String(MAX), LOGIN_FAILURE_WINDOW_SECONDS: '60', LOGIN_LOCKOUT_SECONDS: '1', LOGIN_LOCKOUT_MAX_SECONDS: '3' };
  proxied = await startTestApi({ env: { ...lockout, TRUST_PROXY: '1' } });
  // Same store (one MongoDB connection per process), its own Redis keys.
  // A long window: the budget must stay spent from the start-up sign-in to the last test, however slow the machine.
  direct = await startTestApi({ mongoUri: proxied.mongoUri, env: { ...lockout, LOGIN_RATE_LIMIT_MAX: '4', LOGIN_RATE_LIMIT_WINDOW_MS: '3600000' } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await direct?.close();
  await proxied?.close();
});

function attempt(t: TestApi, username: string, password: string, from: string): Promise<GqlResponse> {
  return gql(t.url, LOGIN, { u: username, p: password }, { headers: { 'x-forwarded-for': `forged-by-client, ${from}` } });
}

function expectLocked(r: GqlResponse, seconds: number): void {
  expect(r.status).toBe(429);
  expect(errorCode(r)).toBe('RATE_LIMITED');
  expect(r.errors?.[0].extensions?.retryAfterSeconds).toBe(seconds);
  expect(r.errors?.[0].extensions?.retryAfter).toBe(seconds);
  expect(r.headers.get('retry-after')).toBe(String(seconds));
}

it('locks a username after the failures from different addresses, right password or not; one try per lock after that, the wait doubling to the cap', async () => {
  const carol = await createUser(proxied, 'carol');
  for (let i = 0; i < MAX; i += 1) expect(errorCode(await attempt(proxied, 'carol', BAD, freshAddress()))).toBe('UNAUTHENTICATED');
  expectLocked(await attempt(proxied, 'carol', carol.password, freshAddress()), 1);
  // Someone else is not affected.
  expect((await attempt(proxied, 'admin', 'admin-password-for-tests', freshAddress())).status).toBe(200);

  await sleep(1100);
  expect(errorCode(await attempt(proxied, 'carol', BAD, freshAddress()))).toBe('UNAUTHENTICATED');
  expectLocked(await attempt(proxied, 'carol', carol.password, freshAddress()), 2);
  expect(errorCode(await attempt(proxied, 'carol', carol.password, freshAddress()))).toBe('RATE_LIMITED');
  await sleep(2100);
  expect(errorCode(await attempt(proxied, 'carol', BAD, freshAddress()))).toBe('UNAUTHENTICATED');
  expectLocked(await attempt(proxied, 'carol', BAD, freshAddress()), 3); // 4 s capped at LOGIN_LOCKOUT_MAX_SECONDS

  // The lockouts and the failures are in the audit trail, with the proxy-given address and no password.
  expect(await AuditEntryModel.countDocuments({ action: 'auth.lockout', actorName: 'carol' }).exec()).toBe(3);
  const failed = await AuditEntryModel.find({ action: 'auth.signInFailed', actorName: 'carol' }).sort({ at: 1 }).lean().exec();
  expect(failed.length).toBe(MAX + 2);
  expect(failed.map((f) => f.sourceAddress)).not.toContain('forged-by-client');
  expect(failed[0].sourceAddress).toMatch(/^198\.51\.100\.\d+$/);
  expect(JSON.stringify(failed)).not.toContain(BAD);
});

it('forgets the failures on a successful sign-in', async () => {
  const erin = await createUser(proxied, 'erin');
  const codes: unknown[] = [];
  for (let round = 0; round < 2; round += 1) {
    for (let i = 0; i < MAX - 1; i += 1) codes.push(errorCode(await attempt(proxied, 'erin', BAD, freshAddress())));
    codes.push((await attempt(proxied, 'erin', erin.password, freshAddress())).data ? 'OK' : 'REFUSED');
  }
  // Without the reset the second round's last failure would have been the one past the limit.
  expect(codes).toEqual([...Array(MAX - 1).fill('UNAUTHENTICATED'), 'OK', ...Array(MAX - 1).fill('UNAUTHENTICATED'), 'OK']);
});

it('throttles an unknown username exactly like a known one', async () => {
  const answers: Array<[unknown, string | undefined]> = [];
  for (const name of ['dave-exists', 'nobody-here']) {
    if (name === 'dave-exists') await createUser(proxied, name);
    for (let i = 0; i < MAX; i += 1) {
      const r = await attempt(proxied, name, BAD, freshAddress());
      answers.push([errorCode(r), r.errors?.[0].message]);
    }
    const over = await attempt(proxied, name, BAD, freshAddress());
    expectLocked(over, 1);
    answers.push([errorCode(over), over.errors?.[0].message]);
  }
  expect(answers.slice(0, MAX + 1)).toEqual(answers.slice(MAX + 1));
  const failed = await AuditEntryModel.findOne({ action: 'auth.signInFailed', actorName: 'nobody-here' }).lean().exec();
  expect(failed).toMatchObject({ actorName: 'nobody-here', details: { method: 'password' } });
  expect(failed?.actorId).toBeUndefined();
});

it('without TRUST_PROXY a forged X-Forwarded-For is ignored: the per-address limit and the audit use the socket address', async () => {
  const results: number[] = [];
  for (let i = 0; i < 5; i += 1) results.push((await attempt(direct, `someone-${i}`, 'wrong', freshAddress())).status);
  // LOGIN_RATE_LIMIT_MAX=4 per address; startTestApi's own admin sign-in used one of them.
  expect(results).toEqual([200, 200, 200, 429, 429]);
  const entry = await AuditEntryModel.findOne({ action: 'auth.signInFailed', actorName: 'someone-0' }).lean().exec();
  expect(entry?.sourceAddress).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
});

it('takes the WebSocket upgrade request through the same rule (after the forged-header test: it relies on the spent budget)', async () => {
  const address = freshAddress();
  const viaProxy = wsClient(proxied.wsUrl, {}, { headers: { 'x-forwarded-for': `forged-by-client, ${address}` } });
  const noProxy = wsClient(direct.wsUrl, {}, { headers: { 'x-forwarded-for': address } });
  clients.push(viaProxy, noProxy);
  const proxiedAnswer = await wsRequest(viaProxy, LOGIN, { u: 'ws-proxied', p: BAD });
  expect(errorCode(proxiedAnswer)).toBe('UNAUTHENTICATED');
  expect((await AuditEntryModel.findOne({ actorName: 'ws-proxied' }).lean().exec())?.sourceAddress).toBe(address);
  // The direct API's budget for 127.0.0.1 is spent (test above): a fresh forged address over the socket does not buy a new one.
  const directAnswer = await wsRequest(noProxy, LOGIN, { u: 'ws-direct', p: BAD });
  expect(errorCode(directAnswer)).toBe('RATE_LIMITED');
});
