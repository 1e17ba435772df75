import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { Types } from 'mongoose';
import WebSocket from 'ws';
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, TEST_ADMIN, type TestApi } from '@cmd-executor/test-support/test-api';
import { JobModel } from '../../../src/storage/models';

const PROD_SECRETS = { JWT_SECRET: randomBytes(32).toString('base64'), WORKER_TOKEN_SECRET: randomBytes(32).toString('base64') };
const INTROSPECT = '{ __schema { queryType { name } } }';

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (err) => (String(err).includes('Unexpected server response') ? undefined : reject(err)));
  });
}

describe('development instance', () => {
  let t: TestApi;
  const logs: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    t = await startTestApi({ logs, env: { QUERY_MAX_DEPTH: '4', QUERY_MAX_COST: '300', ALLOWED_ORIGINS: 'http://ui.example' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a query deeper than QUERY_MAX_DEPTH, over HTTP and WebSocket (fragments count, introspection does not)', async () => {
    const four = '{ jobs { edges { node { id } } } }';
    expect((await gql(t.url, four, undefined, { token: t.adminToken })).errors).toBeUndefined();
    const five = '{ jobs { edges { node { createdBy { id } } } } }';
    const r = await gql(t.url, five, undefined, { token: t.adminToken });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors?.[0].message).toMatch(/depth 5 exceeds the limit of 4/);
    const viaFragments = '{ jobs { ...C } } fragment C on JobConnection { edges { ...E } } fragment E on JobEdge { node { worker { id } } }';
    expect((await gql(t.url, viaFragments, undefined, { token: t.adminToken })).errors?.[0].message).toMatch(/depth 5 exceeds/);
    // The standard introspection query (15 deep) still works: tools and the landing page need it.
    const introspection = await gql(t.url, getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
    const ws = wsClient(t.wsUrl, { authToken: t.adminToken });
    const err = (await wsRequest(ws, five).catch((e: unknown) => e)) as Array<{ message: string }>;
    expect(err[0].message).toMatch(/depth 5 exceeds/);
    await ws.dispose();
  });

  it('refuses an operation whose estimated cost exceeds QUERY_MAX_COST (page size counts)', async () => {
    const q = (first: number) => `{ jobs(first: ${first}) { edges { cursor node { id command status priority attempt queuedAt } } } }`;
    expect((await gql(t.url, q(5), undefined, { token: t.adminToken })).errors).toBeUndefined();
    const r = await gql(t.url, q(100), undefined, { token: t.adminToken });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors?.[0].message).toMatch(/cost \d+ exceeds the limit of 300/);
    const viaVariable = await gql(t.url, 'query($n: Int) { jobs(first: $n) { edges { cursor node { id command status priority attempt queuedAt } } } }', { n: 100 }, { token: t.adminToken });
    expect(viaVariable.status).toBe(400);
    expect(errorCode(viaVariable)).toBe('QUERY_TOO_COMPLEX');
  });

  it('allows introspection in development (GraphiQL needs it; see the web UI tests for its page)', async () => {
    expect((await gql(t.url, INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('reports an internal error as INTERNAL_SERVER_ERROR with a request id, no stack and no detail; the log has the detail', async () => {
    // A stored job with a status no version of the schema knows (written past mongoose's
    // validation): serializing it fails inside execution, a fault of ours, not of the request.
    const orphan = { _id: new Types.ObjectId() };
    await JobModel.collection.insertOne({ ...orphan, command: 'corrupt', status: 'BOGUS', createdById: new Types.ObjectId(), queuedAt: new Date() });
    const r = await gql<{ job: unknown }>(t.url, 'query($id: ID!) { job(id: $id) { id status } }', { id: String(orphan._id) }, { token: t.adminToken });
    expect(r.errors).toHaveLength(1);
    const e = r.errors![0];
    expect(e.message).toBe('internal server error');
    expect(e.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(e.extensions?.stacktrace).toBeUndefined();
    expect(JSON.stringify(r)).not.toMatch(/BOGUS|cannot represent|\.ts:\d+/);
    const requestId = e.extensions?.requestId;
    expect(requestId).toEqual(r.headers.get('x-request-id'));
    const line = logs.find((l) => l.msg === 'internal error' && l.requestId === requestId);
    expect(JSON.stringify(line)).toContain('cannot represent');
    await JobModel.deleteOne({ _id: orphan._id });
  });

  it('logs one line per request with user, operation and duration, and never a password, token or secret value', async () => {
    logs.length = 0;
    const login = await gql<{ login: { token: string } }>(t.url, 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
      u: TEST_ADMIN.username,
      p: TEST_ADMIN.password,
    });
    const token = login.data!.login.token;
    await gql(t.url, 'mutation Submit($i: CreateJobInput!) { createJob(input: $i) { id } }', { i: { command: 'env', env: [{ name: 'K', value: 'very-secret-value-42', secret: true }] } }, { token });
    const worker = await createWorkerToken(t, 'log-worker');
    await gql(t.url, '{ __typename }', undefined, { headers: { 'x-worker-token': worker.token } });
    await gql(t.url, 'query Me { me { id } }', undefined, { headers: { cookie: `auth_token=${token}` } });
    const requests = logs.filter((l) => l.msg === 'graphql request');
    expect(requests).toHaveLength(5);
    expect(requests[0]).toMatchObject({ user: 'anonymous', operation: 'Login', type: 'mutation', status: 200 });
    expect(requests[1]).toMatchObject({ user: 'admin', operation: 'Submit', type: 'mutation' });
    expect(requests[3]).toMatchObject({ worker: 'log-worker' });
    expect(requests[4]).toMatchObject({ user: 'admin', operation: 'Me', type: 'query' });
    for (const l of requests) expect(typeof l.durationMs).toBe('number');
    const all = JSON.stringify(logs);
    for (const secret of [TEST_ADMIN.password, token, worker.token, 'very-secret-value-42', t.config.auth.jwtSecret, t.config.auth.workerTokenSecret]) {
      expect(all).not.toContain(secret);
    }
  });

  it('marks every GraphQL answer no-store: data, errors, a refusal before Apollo, and an anonymous caller', async () => {
    const answers = [
      await gql(t.url, '{ jobs { edges { node { id } } } }', undefined, { token: t.adminToken }),
      await gql(t.url, '{ job(id: "000000000000000000000000") { id } }', undefined, { token: t.adminToken }),
      await gql(t.url, '{ nope }', undefined, { token: t.adminToken }),
      await gql(t.url, `{ ${'me { id } '.repeat(2)}`, undefined, { token: t.adminToken }),
      await gql(t.url, '{ me { id } }'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 400, 400, 200]);
    expect(answers.map((r) => r.headers.get('cache-control'))).toEqual(Array(answers.length).fill('no-store'));
  });

  it('answers CORS preflights only for ALLOWED_ORIGINS, and refuses WebSocket upgrades from other origins', async () => {
    const preflight = (origin: string) =>
      fetch(t.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const ok = await preflight('http://ui.example');
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://ui.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await preflight('http://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();

    expect(await upgradeStatus(t.wsUrl, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(t.wsUrl, { origin: 'http://ui.example' })).toBe(101);
    expect(await upgradeStatus(t.wsUrl, {})).toBe(101);
  });
});

describe('web UI', () => {
  it('serves the built UI from WEB_DIST_DIR at / (client routes get index.html), /graphql stays the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body>cmd-executor ui</body></html>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'graphiql.html'), '<!doctype html><html><body>graphiql page</body></html>');
    const t = await startTestApi({ env: { WEB_DIST_DIR: dir } });
    try {
      const base = t.url.replace(/\/graphql$/, '');
      expect(await (await fetch(`${base}/`)).text()).toContain('cmd-executor ui');
      expect(await (await fetch(`${base}/app.js`)).text()).toBe('console.log(1)');
      const route = await fetch(`${base}/jobs/123`, { headers: { accept: 'text/html' } });
      expect(await route.text()).toContain('cmd-executor ui');
      expect((await gql(t.url, '{ __typename }')).data).toEqual({ __typename: 'Query' });
      // GraphiQL (built beside the UI): at /graphiql, and at /graphql for a browser asking for HTML
      for (const url of [`${base}/graphiql`, t.url]) {
        const page = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(await page.text()).toContain('graphiql page');
      }
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('production instance', () => {
  it('refuses to start without a real secret, naming the variable', async () => {
    await expect(startTestApi({ env: { NODE_ENV: 'production', JWT_SECRET: '', WORKER_TOKEN_SECRET: PROD_SECRETS.WORKER_TOKEN_SECRET } })).rejects.toThrow(
      /JWT_SECRET: required in production/,
    );
    await expect(startTestApi({ env: { NODE_ENV: 'production', ...PROD_SECRETS, JWT_SECRET: 'short' } })).rejects.toThrow(/JWT_SECRET: must be at least 32 bytes/);
  });

  it('turns introspection off unless GRAPHQL_INTROSPECTION=true', async () => {
    const off = await startTestApi({ env: { NODE_ENV: 'production', ...PROD_SECRETS } });
    try {
      const r = await gql(off.url, INTROSPECT);
      expect(r.status).toBe(400);
      expect(r.data ?? null).toBeNull();
      expect(errorCode(r)).toBe('GRAPHQL_VALIDATION_FAILED');
      const ws = wsClient(off.wsUrl, { authToken: off.adminToken });
      const err = (await wsRequest(ws, INTROSPECT).catch((e: unknown) => e)) as Array<{ message: string }>;
      expect(err[0].message).toMatch(/introspection/i);
      await ws.dispose();
    } finally {
      await off.close();
    }
    const on = await startTestApi({ env: { NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', ...PROD_SECRETS } });
    try {
      expect((await gql(on.url, INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await on.close();
    }
  });
});

describe('ENFORCE_TLS=true', () => {
  let t: TestApi | undefined;
  afterAll(async () => {
    await t?.close();
  });

  it('refuses plain HTTP and plain WebSocket upgrades; accepts X-Forwarded-Proto: https and sets a Secure cookie', async () => {
    await expect(startTestApi({ env: { ENFORCE_TLS: 'true' } })).rejects.toThrow(/login failed|HTTPS/);
    // startTestApi logs in over plain HTTP, which is refused: start it and log in through the "proxy".
    t = await startTestApiBehindProxy();
    const plain = await gql(t.url, '{ __typename }');
    expect(plain.status).toBe(403);
    // Health probes come from the load balancer over plain HTTP.
    const health = await fetch(t.url.replace(/\/graphql$/, '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const proxied = await gql(t.url, '{ __typename }', undefined, { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.status).toBe(200);
    const login = await gql(t.url, 'mutation { login(username: "admin", password: "admin-password-for-tests") { token } }', undefined, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(login.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    expect(await upgradeStatus(t.wsUrl, {})).toBe(403);
    expect(await upgradeStatus(t.wsUrl, { 'x-forwarded-proto': 'https' })).toBe(101);
  });
});

async function startTestApiBehindProxy(): Promise<TestApi> {
  const realFetch = globalThis.fetch;
  // The helper's own login goes through the "proxy" too.
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) =>
    realFetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-proto': 'https' } })) as typeof fetch;
  try {
    return await startTestApi({ env: { ENFORCE_TLS: 'true' } });
  } finally {
    globalThis.fetch = realFetch;
  }
}
