import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, PUBLISHED_SECRETS } from '.';

const strong = { JWT_SECRET: randomBytes(32).toString('base64'), WORKER_TOKEN_SECRET: randomBytes(32).toString('base64') };
const prodBase = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db:27017/cmdx', REDIS_URL: 'redis://cache:6379', ...strong };

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected loadConfig to refuse');
}

describe('loadConfig', () => {
  it('starts on an empty environment with development defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      nodeEnv: 'development',
      port: 4000,
      mongo: { uri: undefined, poolSize: 20 },
      redis: { url: undefined },
      rateLimit: { windowMs: 60_000, max: 600 },
      graphql: { introspection: true },
      jobs: { leaseSeconds: 15, heartbeatSeconds: 5, logMaxBytes: 16 * 1024 * 1024 },
      http: { enforceTls: false },
    });
    expect(c.rateLimit.workerMax).toBeGreaterThan(c.rateLimit.max);
  });

  it('locks a username after 5 failures in 15 minutes, 1 minute first, doubling up to 15 minutes; trusts no proxy; all tunable', () => {
    const c = loadConfig({});
    expect(c.loginLockout).toEqual({ failuresMax: 5, failureWindowMs: 900_000, lockoutMs: 60_000, lockoutMaxMs: 900_000 });
    expect(c.http.trustProxy).toBe(0);
    const t = loadConfig({ LOGIN_FAILURES_MAX: '3', LOGIN_FAILURE_WINDOW_SECONDS: '10', LOGIN_LOCKOUT_SECONDS: '1', LOGIN_LOCKOUT_MAX_SECONDS: '4', TRUST_PROXY: '2' });
    expect(t.loginLockout).toEqual({ failuresMax: 3, failureWindowMs: 10_000, lockoutMs: 1_000, lockoutMaxMs: 4_000 });
    expect(t.http.trustProxy).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: '-1' })).toThrow(/TRUST_PROXY/);
  });

  it('listens on loopback only outside production, on every address in production, unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig(prodBase).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...prodBase, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
  });

  it('outside production, unset secrets are random (32 bytes), different from each other and from any other start', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(Buffer.from(a.auth.jwtSecret, 'base64url')).toHaveLength(32);
    expect(a.auth.jwtSecret).not.toBe(a.auth.workerTokenSecret);
    expect(a.auth.jwtSecret).not.toBe(b.auth.jwtSecret);
    expect(PUBLISHED_SECRETS).not.toContain(a.auth.jwtSecret);
  });

  describe('refuses, in every environment, a secret anyone can read', () => {
    const cases = PUBLISHED_SECRETS.flatMap((secret) =>
      ['development', 'test', 'production'].flatMap((nodeEnv) => ['JWT_SECRET', 'WORKER_TOKEN_SECRET'].map((name) => [secret, nodeEnv, name] as const)),
    );
    it.each(cases)('%s as %s %s', (secret, nodeEnv, name) => {
      const env = { ...(nodeEnv === 'production' ? prodBase : strong), NODE_ENV: nodeEnv, [name]: secret };
      expect(refusal(env)).toMatch(new RegExp(`${name}: is published in the source code`));
    });

    it.each(['development', 'production'])('a placeholder or short secret (%s)', (nodeEnv) => {
      const base = { ...(nodeEnv === 'production' ? prodBase : strong), NODE_ENV: nodeEnv };
      expect(refusal({ ...base, JWT_SECRET: 'j'.repeat(40) })).toMatch(/JWT_SECRET: looks like a placeholder/);
      expect(refusal({ ...base, WORKER_TOKEN_SECRET: 'secret' })).toMatch(/WORKER_TOKEN_SECRET: must be at least 32 bytes/);
    });

    it('the same secret for sessions and worker tokens', () => {
      expect(refusal({ ...strong, WORKER_TOKEN_SECRET: strong.JWT_SECRET })).toMatch(/WORKER_TOKEN_SECRET: must differ from JWT_SECRET/);
    });
  });

  it('parses ALLOWED_ORIGINS, ENFORCE_TLS and numbers', () => {
    const c = loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example', ENFORCE_TLS: 'true', RATE_LIMIT_MAX: '7', PORT: '8080' });
    expect(c.http.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.http.enforceTls).toBe(true);
    expect(c.rateLimit.max).toBe(7);
    expect(c.port).toBe(8080);
  });

  it('names the variable of a malformed value', () => {
    expect(refusal({ RATE_LIMIT_MAX: 'lots' })).toMatch(/RATE_LIMIT_MAX/);
    expect(refusal({ ENFORCE_TLS: 'maybe' })).toMatch(/ENFORCE_TLS/);
    expect(refusal({ PORT: '70000' })).toMatch(/PORT/);
  });

  it('starts in production with real settings; introspection is off there by default', () => {
    const c = loadConfig(prodBase);
    expect(c.isProduction).toBe(true);
    expect(c.graphql.introspection).toBe(false);
    expect(loadConfig({ ...prodBase, GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
  });

  it('keeps GraphiQL off in production unless GRAPHQL_PLAYGROUND=true, which brings introspection with it', () => {
    expect(loadConfig({}).graphql.playground).toBe(true);
    expect(loadConfig(prodBase).graphql.playground).toBe(false);
    const on = loadConfig({ ...prodBase, GRAPHQL_PLAYGROUND: 'true' });
    expect(on.graphql).toMatchObject({ playground: true, introspection: true });
    expect(loadConfig({ ...prodBase, GRAPHQL_PLAYGROUND: 'true', GRAPHQL_INTROSPECTION: 'false' }).graphql.introspection).toBe(false);
  });

  it('reads the metrics token and port, and the cookie SameSite mode', () => {
    const c = loadConfig({ METRICS_TOKEN: 'scrape-me', METRICS_PORT: '9464', COOKIE_SAMESITE: 'none' });
    expect(c.metrics).toEqual({ token: 'scrape-me', port: 9464 });
    expect(c.http.cookieSameSite).toBe('none');
    expect(refusal({ COOKIE_SAMESITE: 'sometimes' })).toMatch(/COOKIE_SAMESITE/);
  });

  describe('refuses to start in production', () => {
    it.each([
      ['MONGODB_URI', { MONGODB_URI: '' }],
      ['REDIS_URL', { REDIS_URL: '' }],
    ])('without %s', (name, override) => {
      expect(refusal({ ...prodBase, ...override })).toMatch(new RegExp(`${name}: required in production`));
    });

    it.each(['JWT_SECRET', 'WORKER_TOKEN_SECRET'])('with %s unset', (name) => {
      const env: Record<string, string> = { ...prodBase };
      delete env[name];
      expect(refusal(env)).toMatch(new RegExp(`${name}: required in production`));
    });

    it.each(['JWT_SECRET', 'WORKER_TOKEN_SECRET'])('with %s shorter than 32 bytes', (name) => {
      expect(refusal({ ...prodBase, [name]: 'x'.repeat(31) })).toMatch(new RegExp(`${name}: must be at least 32 bytes`));
    });

    it('counts bytes, not characters', () => {
      // 16 two-byte characters = 32 bytes: enough.
      expect(() => loadConfig({ ...prodBase, JWT_SECRET: 'àáâãäåæçèéêëìíîï' })).not.toThrow();
    });

    it('lists every problem at once', () => {
      const msg = refusal({ NODE_ENV: 'production' });
      for (const name of ['MONGODB_URI', 'REDIS_URL', 'JWT_SECRET', 'WORKER_TOKEN_SECRET']) expect(msg).toContain(name);
    });
  });

  it('LOST_ATTEMPT_RETRIES: 2 by default, 0 turns the free retries off, a negative value is refused', () => {
    expect(loadConfig({}).jobs.lostAttemptRetries).toBe(2);
    expect(loadConfig({ LOST_ATTEMPT_RETRIES: '0' }).jobs.lostAttemptRetries).toBe(0);
    expect(refusal({ LOST_ATTEMPT_RETRIES: '-1' })).toContain('LOST_ATTEMPT_RETRIES');
  });
});

describe('OIDC settings', () => {
  const full = { OIDC_ISSUER: 'https://idp.example.com/realms/main', OIDC_CLIENT_ID: 'cmdx', OIDC_REDIRECT_URI: 'https://cmdx.example.com/auth/oidc/callback' };

  it('are off by default, with the documented defaults', () => {
    expect(loadConfig({}).oidc).toEqual({ issuer: undefined, clientId: undefined, clientSecret: undefined, redirectUri: undefined, adminClaim: 'groups', adminValues: [], displayName: 'SSO' });
  });

  it('read the admin rule and the display name', () => {
    const c = loadConfig({ ...full, OIDC_ADMIN_CLAIM: 'roles', OIDC_ADMIN_VALUES: ' ops , cmdx-admins,', OIDC_DISPLAY_NAME: 'Keycloak' });
    expect(c.oidc).toMatchObject({ adminClaim: 'roles', adminValues: ['ops', 'cmdx-admins'], displayName: 'Keycloak' });
  });

  it('refuse an issuer without a client id or a proper redirect URI', () => {
    expect(() => loadConfig({ OIDC_ISSUER: full.OIDC_ISSUER })).toThrow(/OIDC_CLIENT_ID[\s\S]*OIDC_REDIRECT_URI/);
    expect(() => loadConfig({ ...full, OIDC_REDIRECT_URI: 'https://cmdx.example.com/callback' })).toThrow(/path is \/auth\/oidc\/callback/);
    expect(() => loadConfig({ ...full, OIDC_ISSUER: 'idp.example.com' })).toThrow(/OIDC_ISSUER: must be an http/);
  });
});

it('refuses a plain-http OIDC issuer in production', () => {
  const prod = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db/x', REDIS_URL: 'redis://r', ...strong };
  const oidc = { OIDC_CLIENT_ID: 'cmdx', OIDC_REDIRECT_URI: 'https://cmdx.example.com/auth/oidc/callback' };
  expect(() => loadConfig({ ...prod, ...oidc, OIDC_ISSUER: 'http://idp.example.com' })).toThrow(/OIDC_ISSUER: must be https:\/\/ in production/);
  expect(loadConfig({ ...prod, ...oidc, OIDC_ISSUER: 'https://idp.example.com' }).oidc.issuer).toBe('https://idp.example.com');
});
