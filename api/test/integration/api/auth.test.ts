import jwt from 'jsonwebtoken';
import { collect, errorCode, gql, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, TEST_ADMIN, type TestApi } from '@cmd-executor/test-support/test-api';
import { publishWorkerUpdated } from '../../../src/services/job-events';
import { WorkerModel } from '../../../src/storage/models';
import { Types } from 'mongoose';

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id username role } } }';
const ME = '{ me { id username role } }';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

describe('login', () => {
  it('returns a JWT and sets an httpOnly SameSite=Lax auth_token cookie', async () => {
    const r = await gql<{ login: { token: string; user: { username: string; role: string } } }>(t.url, LOGIN, {
      u: TEST_ADMIN.username,
      p: TEST_ADMIN.password,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data?.login.user).toMatchObject({ username: 'admin', role: 'ADMIN' });
    const decoded = jwt.decode(r.data!.login.token, { complete: true }) as jwt.Jwt;
    expect(decoded.header.alg).toBe('HS256');
    const payload = decoded.payload as jwt.JwtPayload;
    expect(payload.sub).toMatch(/^[0-9a-f]{24}$/);
    expect(payload.role).toBe('ADMIN');
    expect(payload.exp! - payload.iat!).toBe(t.config.auth.jwtTtlSeconds);
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^auth_token=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('refuses a wrong password and an unknown user alike, without a token or cookie', async () => {
    for (const [u, p] of [
      [TEST_ADMIN.username, 'wrong-password'],
      ['nobody-here', TEST_ADMIN.password],
    ]) {
      const r = await gql(t.url, LOGIN, { u, p });
      expect(r.data).toBeNull();
      expect(errorCode(r)).toBe('UNAUTHENTICATED');
      expect(r.errors?.[0].message).toBe('invalid username or password');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
  });
});

describe('credentials', () => {
  it('accepts the token as a bearer header and as the cookie', async () => {
    const bearer = await gql<{ me: { username: string } }>(t.url, ME, undefined, { token: t.adminToken });
    expect(bearer.data?.me.username).toBe('admin');
    const cookie = await gql<{ me: { username: string } }>(t.url, ME, undefined, { headers: { cookie: `auth_token=${t.adminToken}` } });
    expect(cookie.data?.me.username).toBe('admin');
  });

  it('accepts the token on the WebSocket from connectionParams.authToken and from the upgrade cookie', async () => {
    const viaParams = wsClient(t.wsUrl, { authToken: t.adminToken });
    const viaCookie = wsClient(t.wsUrl, {}, { headers: { cookie: `theme=dark; auth_token=${t.adminToken}` } });
    const anonymous = wsClient(t.wsUrl);
    try {
      expect(await wsRequest(viaParams, ME)).toMatchObject({ data: { me: { username: 'admin' } } });
      expect(await wsRequest(viaCookie, ME)).toMatchObject({ data: { me: { username: 'admin' } } });
      expect(await wsRequest(anonymous, ME)).toEqual({ data: { me: null } });
      // Anonymous sockets may connect, but cannot subscribe.
      const sub = collect(anonymous, 'subscription { workerUpdated { id } }');
      await sub.until(() => sub.errors.length > 0);
      expect((sub.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await Promise.all([viaParams.dispose(), viaCookie.dispose(), anonymous.dispose()]);
    }
  });

  it('closes a WebSocket with 4403 when the JWT it connected with expires', async () => {
    const claims = jwt.decode(t.adminToken) as jwt.JwtPayload;
    const shortLived = jwt.sign({ role: claims.role, username: claims.username }, t.config.auth.jwtSecret, {
      algorithm: 'HS256',
      subject: claims.sub,
      expiresIn: 2,
    });
    const opened = Date.now();
    const code = await new Promise<number>((resolve) => {
      const c = wsClient(t.wsUrl, { authToken: shortLived }, { lazy: false, onClosed: (c2) => resolve(c2) });
      void wsRequest(c, ME).then((r) => expect(r).toMatchObject({ data: { me: { username: 'admin' } } }));
    });
    expect(code).toBe(4403);
    expect(Date.now() - opened).toBeGreaterThan(900);
  });

  it('delivers workerUpdated to logged-in users', async () => {
    const client = wsClient(t.wsUrl, { authToken: t.adminToken });
    try {
      const sub = collect<{ workerUpdated: { name: string; status: string; leaseSeconds: number } }>(client, 'subscription { workerUpdated { name status leaseSeconds } }');
      await new Promise((r) => setTimeout(r, 200));
      const worker = await WorkerModel.create({ name: 'w-updated', tokenId: new Types.ObjectId(), capacity: 2 });
      await publishWorkerUpdated(t.api.container.pubsub, worker);
      await sub.until(() => sub.events.length > 0);
      expect(sub.events[0]).toEqual({ workerUpdated: { name: 'w-updated', status: 'ONLINE', leaseSeconds: t.config.jobs.leaseSeconds } });
    } finally {
      await client.dispose();
    }
  });

  it('me is null without a credential', async () => {
    const r = await gql<{ me: null }>(t.url, ME);
    expect(r.errors).toBeUndefined();
    expect(r.data?.me).toBeNull();
  });

  it('logout clears the cookie', async () => {
    const r = await gql(t.url, 'mutation { logout }', undefined, { token: t.adminToken });
    expect(r.data).toEqual({ logout: true });
    expect(r.headers.get('set-cookie')).toMatch(/^auth_token=;.*Expires=Thu, 01 Jan 1970/i);
  });

  describe('refuses bad JWTs with UNAUTHENTICATED', () => {
    const claims = () => {
      const p = jwt.decode(t.adminToken) as jwt.JwtPayload;
      return { sub: p.sub, role: p.role, username: p.username };
    };
    const cases: Array<[string, () => string]> = [
      ['expired', () => jwt.sign({ ...claims(), exp: Math.floor(Date.now() / 1000) - 10 }, t.config.auth.jwtSecret, { algorithm: 'HS256' })],
      ['signed with another secret', () => jwt.sign(claims(), 'x'.repeat(40), { algorithm: 'HS256', expiresIn: 600 })],
      ['alg none', () => jwt.sign(claims(), '', { algorithm: 'none', expiresIn: 600 })],
      ['alg none with a valid-looking signature', () => {
        const [, body, sig] = t.adminToken.split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        return `${header}.${body}.${sig}`;
      }],
      ['RS256', () => {
        // A real RS256 token: the server must not treat its secret as a public key or accept another algorithm.
        const { generateKeyPairSync } = require('node:crypto') as typeof import('node:crypto');
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return jwt.sign(claims(), privateKey, { algorithm: 'RS256', expiresIn: 600 });
      }],
      ['HS384 with the right secret', () => jwt.sign(claims(), t.config.auth.jwtSecret, { algorithm: 'HS384', expiresIn: 600 })],
      ['forged payload (role changed, old signature)', () => {
        const [h, , s] = t.adminToken.split('.');
        const body = Buffer.from(JSON.stringify({ ...claims(), role: 'ADMIN', sub: '0'.repeat(24), exp: 9999999999 })).toString('base64url');
        return `${h}.${body}.${s}`;
      }],
      ['garbage', () => 'not-a-jwt'],
    ];
    it.each(cases)('%s', async (_name, make) => {
      const token = make();
      for (const opts of [{ token }, { headers: { cookie: `auth_token=${token}` } }]) {
        const r = await gql(t.url, ME, undefined, opts);
        expect(r.data?.me ?? null).toBeNull();
        expect(errorCode(r)).toBe('UNAUTHENTICATED');
        const jobs = await gql(t.url, '{ jobs { edges { cursor } } }', undefined, opts);
        expect(errorCode(jobs)).toBe('UNAUTHENTICATED');
      }
    });
  });
});
