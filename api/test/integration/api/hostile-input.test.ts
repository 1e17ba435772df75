/**
 * The cases measured from outside, one by one over real HTTP and graphql-ws: client mistakes
 * are 4xx with a code and never quote a value, a bad operation fails alone on its socket, a
 * huge document is refused before any work, login attempts per address are limited, and job
 * events on Redis carry no secret value.
 */
import { Redis } from 'ioredis';
import { collect, errorCode, gql, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, TEST_REDIS_URL, type TestApi } from '@cmd-executor/test-support/test-api';

const SECRET = 'S3cr3t-hostile-input-value';

let t: TestApi;
const logs: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  t = await startTestApi({ logs, env: { QUERY_MAX_COST: '300', LOGIN_RATE_LIMIT_MAX: '5', LOGIN_RATE_LIMIT_WINDOW_MS: '60000', ANON_RATE_LIMIT_MAX: '40' } });
});
afterAll(async () => {
  await t?.close();
});

const errorLines = () => logs.filter((l) => (l.level as number) >= 50);

describe('client mistakes over HTTP are 400 with a code, never 5xx, never the value', () => {
  it.each([
    ['a variable of the wrong type', 'query($f: Int) { jobs(first: $f) { edges { cursor } } }', { f: SECRET }, 'BAD_USER_INPUT', 'Variable "$f" got an invalid value; expected a value of type "Int".'],
    ['a missing required variable', 'query($id: ID!) { job(id: $id) { id } }', {}, 'BAD_USER_INPUT', 'Variable "$id" of required type "ID!" was not provided.'],
    [
      'an env entry without a name',
      'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }',
      { i: { command: 'true', env: [{ value: SECRET, secret: true }] } },
      'BAD_USER_INPUT',
      'Variable "$i" got an invalid value at "i.env[0]"; Field "name" of required type "String!" was not provided.',
    ],
    ['deeply nested variables', 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', { i: JSON.parse(`${'['.repeat(1000)}"${SECRET}"${']'.repeat(1000)}`) as unknown }, 'BAD_USER_INPUT', 'Variable "$i" is nested deeper than 10 levels, the limit'],
    ['a query over the cost limit', `{ ${Array.from({ length: 40 }, (_, i) => `j${i}: jobs(first: 10) { edges { cursor } }`).join(' ')} }`, {}, 'QUERY_TOO_COMPLEX', /^query cost \d+ exceeds the limit of 300$/],
  ])('%s', async (_name, query, variables, code, message) => {
    logs.length = 0;
    const r = await gql(t.url, query, variables as Record<string, unknown>, { token: t.adminToken });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe(code);
    if (typeof message === 'string') expect(r.errors?.[0].message).toBe(message);
    else expect(r.errors?.[0].message).toMatch(message);
    expect(JSON.stringify(r.errors)).not.toContain(SECRET);
    expect(errorLines()).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it('an unknown operationName', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ query: 'query A { me { id } } query B { me { id } }', operationName: SECRET }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]).toMatchObject({ message: 'Unknown operation named "?".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
  });
});

describe('login attempts per address', () => {
  it('answers 429 with Retry-After once an address spent its login budget, right or wrong password alike', async () => {
    // startTestApi logged in once already: 4 of LOGIN_RATE_LIMIT_MAX=5 are left.
    const attempt = (p: string) => gql(t.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'admin', p });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 6; i++) {
      last = await attempt(`wrong-${i}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(errorCode(last!)).toBe('RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await attempt('admin-password-for-tests')).status).toBe(429);
    // Other anonymous requests from the address are not affected by the login budget.
    expect((await gql(t.url, '{ __typename }')).status).toBe(200);
  });
});

describe('one anonymous request cannot hold the server', () => {
  const aliases = `{ ${Array.from({ length: 200_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;

  it('refuses a 3.5 MB document of 200,000 aliases before any GraphQL work, for anonymous and signed-in callers alike', async () => {
    // Bodies past the caller's limit are not even read (anonymous 64 KiB, user 1 MiB).
    for (const token of [undefined, t.adminToken]) {
      const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query: aliases }) });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    const part = aliases.slice(0, 150_000) + ' }';
    const signedIn = await gql(t.url, part, undefined, { token: t.adminToken });
    expect(signedIn.status).toBe(400);
    expect(signedIn.errors?.[0]).toMatchObject({ message: `query has ${part.length} characters; the limit is 100000`, extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'queryChars' } });
    const manyTokens = aliases.slice(0, 90_000) + ' }';
    expect((await gql(t.url, manyTokens, undefined, { token: t.adminToken })).errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: 5000 });
    const small = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await gql(t.url, small, undefined, { token: t.adminToken })).errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 50 });
    // And /healthz answers at once afterwards.
    const started = performance.now();
    expect((await fetch(t.url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('gives anonymous callers a smaller per-address request budget than signed-in ones', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await gql(t.url, '{ __typename }', undefined, { headers: { 'x-forwarded-for': 'ignored' } })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.indexOf(429)).toBeLessThanOrEqual(40);
    // A signed-in caller from the same address is unaffected.
    expect((await gql(t.url, '{ __typename }', undefined, { token: t.adminToken })).status).toBe(200);
  });
});

describe('WebSocket', () => {
  it('fails a bad operation with an error for its id; the socket and a live subscription on it carry on', async () => {
    let closedWith: string | undefined;
    const client = wsClient(t.wsUrl, { authToken: t.adminToken }, { onClosed: (code, reason) => (closedWith = `${code} ${reason}`) });
    const live = collect<{ jobUpdated: { id: string } }>(client, 'subscription { jobUpdated { id } }');
    await new Promise((r) => setTimeout(r, 200));
    const err = (await wsRequest(client, 'query($f: Int) { jobs(first: $f) { edges { cursor } } }', { f: SECRET }).catch((e: unknown) => e)) as Array<{ message: string; extensions: { code: string } }>;
    expect(err[0]).toMatchObject({ message: 'Variable "$f" got an invalid value; expected a value of type "Int".', extensions: { code: 'BAD_USER_INPUT' } });
    const unknown = (await new Promise<unknown>((resolve) => {
      client.subscribe({ query: '{ me { id } }', operationName: 'Nope' }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) });
    })) as Array<{ extensions: { code: string } }>;
    expect(unknown[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(await wsRequest(client, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
    const created = await gql<{ createJob: { id: string } }>(t.url, 'mutation { createJob(input: { command: "true", requirements: ["nowhere"] }) { id } }', undefined, { token: t.adminToken });
    await live.until(() => live.events.some((e) => e.jobUpdated.id === created.data!.createJob.id));
    expect(closedWith).toBeUndefined();
    await client.dispose();
  });
});

describe('secret env values', () => {
  it('never travel in job events on Redis, and subscribers see them as null', async () => {
    const sub = new Redis(TEST_REDIS_URL);
    const messages: string[] = [];
    sub.on('pmessage', (_p, _c, m: string) => void messages.push(m));
    await sub.psubscribe(`${t.redisPrefix}*`);
    try {
      const client = wsClient(t.wsUrl, { authToken: t.adminToken });
      const live = collect<{ jobUpdated: { id: string; env: Array<{ name: string; value: string | null }> } }>(client, 'subscription { jobUpdated { id env { name value secret } } }');
      await new Promise((r) => setTimeout(r, 200));
      const r = await gql<{ createJob: { id: string } }>(
        t.url,
        'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }',
        { i: { command: 'true', requirements: ['nowhere'], env: [{ name: 'TOKEN', value: SECRET, secret: true }, { name: 'PLAIN', value: 'visible' }] } },
        { token: t.adminToken },
      );
      const id = r.data!.createJob.id;
      await gql(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id }, { token: t.adminToken });
      await live.until(() => live.events.filter((e) => e.jobUpdated.id === id).length >= 2);
      expect(live.events.find((e) => e.jobUpdated.id === id)!.jobUpdated.env).toEqual([
        { name: 'TOKEN', value: null, secret: true },
        { name: 'PLAIN', value: 'visible', secret: false },
      ]);
      const jobEvents = messages.filter((m) => m.includes(id));
      expect(jobEvents.length).toBeGreaterThanOrEqual(4); // two changes, each on two topics
      expect(jobEvents.filter((m) => m.includes(SECRET))).toEqual([]);
      expect(jobEvents.some((m) => m.includes('visible'))).toBe(true);
      await client.dispose();
    } finally {
      sub.disconnect();
    }
  });
});
