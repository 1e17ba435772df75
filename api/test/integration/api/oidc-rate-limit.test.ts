import { createServer } from 'node:net';
import { startTestIssuer, type TestIssuer } from '@cmd-executor/test-support/oidc-issuer';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

const MAX = 3;
let issuer: TestIssuer;
let t: TestApi;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`;
  issuer = await startTestIssuer([redirectUri]);
  t = await startTestApi({
    env: {
      PORT: String(port),
      OIDC_ISSUER: issuer.url,
      OIDC_CLIENT_ID: issuer.clientId,
      OIDC_CLIENT_SECRET: issuer.clientSecret,
      OIDC_REDIRECT_URI: redirectUri,
      OIDC_RATE_LIMIT_MAX: String(MAX),
      LOGIN_RATE_LIMIT_WINDOW_MS: '60000',
      TRUST_PROXY: '1',
    },
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await issuer?.stop();
});

const get = (path: string, from: string) => fetch(`${t.url.replace(/\/graphql$/, '')}${path}`, { redirect: 'manual', headers: { 'x-forwarded-for': from } });

it('answers a flood of /auth/oidc/* from one address with 429 and Retry-After, starting no flow; other addresses are served', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < MAX; i += 1) {
    const res = await get('/auth/oidc/login?returnTo=/', '203.0.113.20');
    statuses.push(res.status);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${issuer.url}`));
  }
  expect(statuses).toEqual(Array(MAX).fill(303));

  const over = await get('/auth/oidc/login?returnTo=/', '203.0.113.20');
  expect(over.status).toBe(429);
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(over.headers.get('location')).toBeNull();
  expect(over.headers.getSetCookie().some((c) => c.startsWith('oidc_flow='))).toBe(false);
  expect(((await over.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('RATE_LIMITED');
  // The callback shares the budget: it cannot be hammered either.
  expect((await get('/auth/oidc/callback?code=x&state=y', '203.0.113.20')).status).toBe(429);

  const elsewhere = await get('/auth/oidc/login?returnTo=/', '203.0.113.21');
  expect(elsewhere.status).toBe(303);
  // The sign-in page's configuration is not part of the flow and stays served.
  expect((await get('/auth/config', '203.0.113.20')).status).toBe(200);
});
