import type { Client } from 'graphql-ws';
import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

const MAX = 5;
const WINDOW_MS = 2500;
const WORKER_MAX = 12;
const PING = '{ __typename }';

let t: TestApi;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestApi({ env: { RATE_LIMIT_MAX: String(MAX), RATE_LIMIT_WINDOW_MS: String(WINDOW_MS), WORKER_RATE_LIMIT_MAX: String(WORKER_MAX) } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('HTTP', () => {
  it('answers 429 with Retry-After at exactly max + 1 within a window, and resets after it', async () => {
    const user = await createUser(t, 'ratey');
    const started = Date.now();
    for (let i = 1; i <= MAX; i += 1) {
      const r = await gql(t.url, PING, undefined, { token: user.token });
      expect(r.status).toBe(200);
    }
    const over = await gql(t.url, PING, undefined, { token: user.token });
    // The whole burst must have fit in one window for this to mean anything.
    expect(Date.now() - started).toBeLessThan(WINDOW_MS);
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
    expect(errorCode(over)).toBe('RATE_LIMITED');
    expect(over.errors?.[0].extensions?.retryAfter).toBe(retryAfter);

    // Another principal is unaffected.
    const other = await gql(t.url, PING, undefined, { token: t.adminToken });
    expect(other.status).toBe(200);

    await sleep(WINDOW_MS - (Date.now() - started) + 100);
    const fresh = await gql(t.url, PING, undefined, { token: user.token });
    expect(fresh.status).toBe(200);
    expect(fresh.data).toEqual({ __typename: 'Query' });
  });

  it('gives a worker token its own, higher budget', async () => {
    const worker = await createWorkerToken(t, 'rate-worker');
    for (let i = 1; i <= WORKER_MAX; i += 1) {
      const r = await gql(t.url, PING, undefined, { headers: { 'x-worker-token': worker.token } });
      expect(r.status).toBe(200);
    }
    const over = await gql(t.url, PING, undefined, { headers: { 'x-worker-token': worker.token } });
    expect(over.status).toBe(429);
    expect(errorCode(over)).toBe('RATE_LIMITED');
  });
});

describe('WebSocket', () => {
  it('refuses the operation past the limit with RATE_LIMITED and extensions.retryAfter', async () => {
    const user = await createUser(t, 'ratey-ws');
    const client = wsClient(t.wsUrl, { authToken: user.token });
    clients.push(client);
    for (let i = 1; i <= MAX; i += 1) {
      await expect(wsRequest(client, PING)).resolves.toEqual({ data: { __typename: 'Query' } });
    }
    const err = (await wsRequest(client, PING).then(
      () => undefined,
      (e: unknown) => e,
    )) as Array<{ extensions?: { code?: string; retryAfter?: number } }>;
    expect(Array.isArray(err)).toBe(true);
    expect(err[0].extensions?.code).toBe('RATE_LIMITED');
    expect(err[0].extensions?.retryAfter).toBeGreaterThanOrEqual(1);
    // The budget is per principal, not per transport: HTTP is over the limit too.
    const http = await gql(t.url, PING, undefined, { token: user.token });
    expect(http.status).toBe(429);
  });
});
