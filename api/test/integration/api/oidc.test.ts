/**
 * OIDC sign-in against a real issuer (oidc-provider in its own process on loopback): the whole
 * code flow over HTTP, and every refusal of the callback coming back to the login page as a reason.
 */
import { createServer } from 'node:net';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { walkIssuer } from '@cmd-executor/test-support/oidc-browserless';
import { startTestIssuer, type TestIssuer } from '@cmd-executor/test-support/oidc-issuer';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import { AuditEntryModel, UserModel } from '../../../src/storage/models';

jest.setTimeout(60_000);

let issuer: TestIssuer;
let test: TestApi;
let redirectUri: string;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function oidcEnv(issuerUrl: string, callback: string): Record<string, string> {
  return {
    OIDC_ISSUER: issuerUrl,
    OIDC_CLIENT_ID: issuer.clientId,
    OIDC_CLIENT_SECRET: issuer.clientSecret,
    OIDC_REDIRECT_URI: callback,
    OIDC_ADMIN_VALUES: 'cmdx-admins',
    OIDC_DISPLAY_NAME: 'Test IdP',
    // Every flow here comes from 127.0.0.1; the per-address budget is oidc-rate-limit.test.ts's subject.
    OIDC_RATE_LIMIT_MAX: '100000',
  };
}

beforeAll(async () => {
  const port = await freePort();
  redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`;
  issuer = await startTestIssuer([redirectUri]);
  test = await startTestApi({ env: { PORT: String(port), ...oidcEnv(issuer.url, redirectUri) } });
});

afterAll(async () => {
  await test?.close();
  await issuer?.stop();
});

const origin = () => test.url.replace(/\/graphql$/, '');

/** GET /auth/oidc/login: the issuer's authorization URL and the flow cookie (`name=value`). */
async function beginLogin(returnTo = '/#/jobs'): Promise<{ authorizationUrl: string; flowCookie: string }> {
  const res = await fetch(`${origin()}/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const flowCookie = res.headers.getSetCookie().find((c) => c.startsWith('oidc_flow='));
  expect(flowCookie).toMatch(/HttpOnly/i);
  return { authorizationUrl: res.headers.get('location')!, flowCookie: flowCookie!.split(';')[0]! };
}

/** The API's answer to the issuer's redirect, as the browser would deliver it. */
async function callback(callbackUrl: URL, flowCookie: string | undefined): Promise<{ location: string; authToken?: string }> {
  const res = await fetch(`${origin()}${callbackUrl.pathname}${callbackUrl.search}`, { redirect: 'manual', headers: flowCookie ? { cookie: flowCookie } : {} });
  expect(res.status).toBe(303);
  const auth = res.headers.getSetCookie().find((c) => c.startsWith('auth_token='));
  return { location: res.headers.get('location')!, authToken: auth?.split(';')[0]!.slice('auth_token='.length) };
}

async function signIn(login: string, returnTo?: string) {
  const { authorizationUrl, flowCookie } = await beginLogin(returnTo);
  const { callbackUrl } = await walkIssuer(authorizationUrl, redirectUri, login);
  return { ...(await callback(callbackUrl, flowCookie)), callbackUrl, flowCookie };
}

async function me(token: string) {
  return ok(await gql<{ me: { id: string; username: string; role: string } }>(test.url, '{ me { id username role } }', undefined, { token })).me;
}

it('tells the login page which provider to offer', async () => {
  const res = await fetch(`${origin()}/auth/config`);
  expect(await res.json()).toEqual({ oidc: { displayName: 'Test IdP', loginPath: '/auth/oidc/login' } });
});

it('redirects to the issuer with PKCE (S256), state and nonce', async () => {
  const { authorizationUrl } = await beginLogin();
  const url = new URL(authorizationUrl);
  expect(url.origin).toBe(issuer.url);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  for (const p of ['code_challenge', 'state', 'nonce']) expect(url.searchParams.get(p)?.length).toBeGreaterThanOrEqual(22);
  expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
});

it('creates the user on the first sign-in (audited), then finds the same user by issuer + subject', async () => {
  const first = await signIn('olivia', '/#/jobs/abc');
  expect(first.location).toBe('/#/jobs/abc');
  const user = await me(first.authToken!);
  expect(user).toMatchObject({ username: 'olivia', role: 'USER' });
  expect(await AuditEntryModel.countDocuments({ action: 'user.oidcFirstSignIn', targetId: user.id }).exec()).toBe(1);
  // Recorded with the browser's address (the callback request's), like every audited action.
  expect((await AuditEntryModel.findOne({ action: 'user.oidcFirstSignIn', targetId: user.id }).lean().exec())?.sourceAddress).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  expect(await AuditEntryModel.countDocuments({ action: 'auth.signIn', targetId: user.id, 'details.method': 'oidc' }).exec()).toBe(1);
  const before = await UserModel.findById(user.id).lean().exec();

  // An administrator renames the user; the next sign-in still finds them, and renames nothing.
  await UserModel.updateOne({ _id: user.id }, { $set: { username: 'olivia-renamed' } }).exec();
  const second = await signIn('olivia');
  expect(await me(second.authToken!)).toEqual({ id: user.id, username: 'olivia-renamed', role: 'USER' });
  const after = await UserModel.findById(user.id).lean().exec();
  expect(after!.lastLoginAt!.getTime()).toBeGreaterThan(before!.lastLoginAt!.getTime());
  expect(await AuditEntryModel.countDocuments({ action: 'user.oidcFirstSignIn', targetId: user.id }).exec()).toBe(1);
});

it('makes an ADMIN from the admin claim, with a unique name that never takes over a local account', async () => {
  // "admin" is the local password admin: the OIDC "admin" is someone else.
  const r = await signIn('admin');
  const user = await me(r.authToken!);
  expect(user.role).toBe('ADMIN');
  expect(user.username).toBe('admin-2');
  const local = await me(test.adminToken);
  expect(local.id).not.toBe(user.id);
});

it('refuses a disabled user', async () => {
  const first = await signIn('dan');
  const user = await me(first.authToken!);
  // Through the driver: the flag belongs to the admin operations' part of the user model.
  await UserModel.collection.updateOne({ username: 'dan' }, { $set: { disabled: true } });
  const again = await signIn('dan');
  expect(again).toMatchObject({ location: '/#/login?oidcError=disabled', authToken: undefined });
  await UserModel.collection.updateOne({ username: 'dan' }, { $set: { disabled: false } });
  expect(await me((await signIn('dan')).authToken!)).toMatchObject({ id: user.id });
});

it('never redirects off the site after signing in', async () => {
  for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    const r = await signIn('mallory', evil);
    expect(r.location).toBe('/#/jobs');
  }
});

it('refuses a state that is not the flow’s', async () => {
  const { authorizationUrl, flowCookie } = await beginLogin();
  const { callbackUrl } = await walkIssuer(authorizationUrl, redirectUri, 'sam');
  callbackUrl.searchParams.set('state', 'x'.repeat(43));
  const r = await callback(callbackUrl, flowCookie);
  expect(r).toEqual({ location: '/#/login?oidcError=bad_state', authToken: undefined });
});

it('refuses a callback whose flow cookie is missing, forged or from another login', async () => {
  const a = await beginLogin();
  const b = await beginLogin();
  const { callbackUrl } = await walkIssuer(a.authorizationUrl, redirectUri, 'sam');
  expect((await callback(callbackUrl, undefined)).location).toBe('/#/login?oidcError=flow_expired');
  expect((await callback(callbackUrl, `${a.flowCookie.slice(0, -3)}abc`)).location).toBe('/#/login?oidcError=flow_expired');
  expect((await callback(callbackUrl, b.flowCookie)).location).toBe('/#/login?oidcError=bad_state');
});

it('refuses a replayed code', async () => {
  const first = await signIn('rita');
  expect(first.authToken).toBeDefined();
  const replay = await callback(first.callbackUrl, first.flowCookie);
  expect(replay).toEqual({ location: '/#/login?oidcError=code_rejected', authToken: undefined });
});

it('refuses an ID token with another nonce', async () => {
  const { authorizationUrl, flowCookie } = await beginLogin();
  const tampered = new URL(authorizationUrl);
  tampered.searchParams.set('nonce', 'n'.repeat(43));
  const { callbackUrl } = await walkIssuer(tampered.href, redirectUri, 'nina');
  const r = await callback(callbackUrl, flowCookie);
  expect(r).toEqual({ location: '/#/login?oidcError=token_rejected', authToken: undefined });
  expect(await UserModel.exists({ username: 'nina' }).exec()).toBeNull();
});

it('refuses a response that names an unknown issuer', async () => {
  const { authorizationUrl, flowCookie } = await beginLogin();
  const { callbackUrl } = await walkIssuer(authorizationUrl, redirectUri, 'ivan');
  expect(callbackUrl.searchParams.get('iss')).toBe(issuer.url);
  callbackUrl.searchParams.set('iss', 'http://127.0.0.1:9/evil-issuer');
  const r = await callback(callbackUrl, flowCookie);
  expect(r).toEqual({ location: '/#/login?oidcError=token_rejected', authToken: undefined });
});

it('brings access_denied at the issuer back as a reason', async () => {
  const { authorizationUrl, flowCookie } = await beginLogin();
  const { callbackUrl } = await walkIssuer(authorizationUrl, redirectUri, 'dora', { abort: true });
  expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
  expect((await callback(callbackUrl, flowCookie)).location).toBe('/#/login?oidcError=access_denied');
});

it('sends the browser back to the login page when the issuer cannot be reached', async () => {
  const deadPort = await freePort();
  const other = await startTestApi({ mongoUri: test.mongoUri, env: oidcEnv(`http://127.0.0.1:${deadPort}`, 'http://127.0.0.1:1/auth/oidc/callback') });
  try {
    const res = await fetch(`${other.url.replace(/\/graphql$/, '')}/auth/oidc/login`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/#/login?oidcError=issuer_unreachable');
  } finally {
    await other.close();
  }
});
