import { randomBytes } from 'node:crypto';
import { envSchema } from './config.schema';
import { MIN_SECRET_BYTES, weakSecretReason } from './known-secrets';

export type NodeEnv = 'development' | 'test' | 'production';

export interface AppConfig {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  port: number;
  host: string;
  logLevel: string;
  mongo: { uri?: string; poolSize: number; inProcess: boolean };
  redis: { url?: string; prefix: string };
  auth: {
    jwtSecret: string;
    jwtTtlSeconds: number;
    workerTokenSecret: string;
    /** Secrets that signed earlier tokens, still accepted (never used to sign). */
    jwtPreviousSecrets: string[];
    workerTokenPreviousSecrets: string[];
    workerTokenTtlDays: number;
    adminUsername: string;
    adminPassword?: string;
  };
  oidc: { issuer?: string; clientId?: string; clientSecret?: string; redirectUri?: string; adminClaim: string; adminValues: string[]; displayName: string };
  http: { allowedOrigins: string[]; enforceTls: boolean; webDistDir?: string; publicUrl?: string; shutdownTimeoutMs: number; shutdownDelayMs: number; cookieSameSite: 'lax' | 'strict' | 'none'; trustProxy: number };
  rateLimit: { windowMs: number; max: number; workerMax: number; anonymousMax: number; failOpen: boolean; login: { windowMs: number; max: number }; oidcMax: number };
  /** Per-username lockout after repeated failed logins (times in ms). */
  loginLockout: { failuresMax: number; failureWindowMs: number; lockoutMs: number; lockoutMaxMs: number };
  graphql: { introspection: boolean; playground: boolean; maxDepth: number; maxCost: number };
  /** /metrics: open in development; in production behind `token`, or on `port` only. */
  metrics: { token?: string; port?: number };
  jobs: { leaseSeconds: number; heartbeatSeconds: number; logMaxBytes: number; lostAttemptRetries: number };
}

/** Start-up refusal: the message names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the environment once, at start. Values are never logged (they hold secrets). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(pick(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction) {
    if (!e.MONGODB_URI) problems.push('MONGODB_URI: required in production (the embedded store is for one machine)');
    if (!e.REDIS_URL) problems.push('REDIS_URL: required in production (pub/sub, locks and rate limits span replicas)');
  }
  const secrets = { JWT_SECRET: e.JWT_SECRET, WORKER_TOKEN_SECRET: e.WORKER_TOKEN_SECRET };
  for (const name of ['JWT_SECRET', 'WORKER_TOKEN_SECRET'] as const) {
    const value = secrets[name];
    if (value === undefined) {
      if (isProduction) problems.push(`${name}: required in production; set a random secret of ${MIN_SECRET_BYTES}+ bytes (e.g. \`openssl rand -base64 32\`)`);
      // Outside production an unset secret is random for this process (`npm start` passes the
      // ones it keeps in the data dir, so sessions survive a restart there).
      else secrets[name] = randomBytes(32).toString('base64url');
      continue;
    }
    const weak = weakSecretReason(value);
    if (weak) problems.push(`${name}: ${weak}`);
  }
  // A previous secret is still a key that opens sessions: the same rules apply to it.
  for (const name of ['JWT_SECRET_PREVIOUS', 'WORKER_TOKEN_SECRET_PREVIOUS'] as const) {
    for (const value of secretList(e[name])) {
      const weak = weakSecretReason(value);
      if (weak) problems.push(`${name}: ${weak}`);
    }
  }
  if (secrets.JWT_SECRET !== undefined && secrets.JWT_SECRET === secrets.WORKER_TOKEN_SECRET) {
    problems.push('WORKER_TOKEN_SECRET: must differ from JWT_SECRET');
  }
  if (e.HEARTBEAT_SECONDS >= e.LEASE_SECONDS) {
    problems.push('HEARTBEAT_SECONDS: must be shorter than LEASE_SECONDS');
  }
  problems.push(...oidcProblems(e, isProduction));
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1'),
    logLevel: e.LOG_LEVEL,
    mongo: { uri: e.MONGODB_URI, poolSize: e.MONGO_POOL_SIZE, inProcess: e.MONGO_IN_PROCESS },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    auth: {
      jwtSecret: secrets.JWT_SECRET!,
      jwtTtlSeconds: e.JWT_TTL_SECONDS,
      workerTokenSecret: secrets.WORKER_TOKEN_SECRET!,
      jwtPreviousSecrets: secretList(e.JWT_SECRET_PREVIOUS),
      workerTokenPreviousSecrets: secretList(e.WORKER_TOKEN_SECRET_PREVIOUS),
      workerTokenTtlDays: e.WORKER_TOKEN_TTL_DAYS,
      adminUsername: e.ADMIN_USERNAME,
      adminPassword: e.ADMIN_PASSWORD,
    },
    oidc: {
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      redirectUri: e.OIDC_REDIRECT_URI,
      adminClaim: e.OIDC_ADMIN_CLAIM,
      adminValues: e.OIDC_ADMIN_VALUES.split(',').map((v) => v.trim()).filter((v) => v !== ''),
      displayName: e.OIDC_DISPLAY_NAME,
    },
    http: {
      allowedOrigins: e.ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
      enforceTls: e.ENFORCE_TLS,
      webDistDir: e.WEB_DIST_DIR,
      publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
      cookieSameSite: e.COOKIE_SAMESITE,
      trustProxy: e.TRUST_PROXY,
    },
    rateLimit: {
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      max: e.RATE_LIMIT_MAX,
      workerMax: e.WORKER_RATE_LIMIT_MAX,
      anonymousMax: Math.min(e.ANON_RATE_LIMIT_MAX, e.RATE_LIMIT_MAX),
      failOpen: e.RATE_LIMIT_FAIL_OPEN ?? !isProduction,
      login: { windowMs: e.LOGIN_RATE_LIMIT_WINDOW_MS, max: e.LOGIN_RATE_LIMIT_MAX },
      oidcMax: e.OIDC_RATE_LIMIT_MAX,
    },
    loginLockout: {
      failuresMax: e.LOGIN_FAILURES_MAX,
      failureWindowMs: e.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
      lockoutMs: e.LOGIN_LOCKOUT_SECONDS * 1000,
      lockoutMaxMs: Math.max(e.LOGIN_LOCKOUT_SECONDS, e.LOGIN_LOCKOUT_MAX_SECONDS) * 1000,
    },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? (e.GRAPHQL_PLAYGROUND ?? !isProduction),
      playground: e.GRAPHQL_PLAYGROUND ?? !isProduction,
      maxDepth: e.QUERY_MAX_DEPTH,
      maxCost: e.QUERY_MAX_COST,
    },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    jobs: { leaseSeconds: e.LEASE_SECONDS, heartbeatSeconds: e.HEARTBEAT_SECONDS, logMaxBytes: e.LOG_MAX_BYTES, lostAttemptRetries: e.LOST_ATTEMPT_RETRIES },
  };
}

function secretList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** Only the variables we know; an empty string counts as unset. */
function pick(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}


/** OIDC is all or nothing: a half-configured issuer would only fail at the first sign-in. */
function oidcProblems(e: { OIDC_ISSUER?: string; OIDC_CLIENT_ID?: string; OIDC_REDIRECT_URI?: string }, isProduction: boolean): string[] {
  if (!e.OIDC_ISSUER) return [];
  const problems: string[] = [];
  if (!/^https?:\/\/[^\s/]+/.test(e.OIDC_ISSUER)) problems.push('OIDC_ISSUER: must be an http(s):// URL');
  else if (isProduction && !e.OIDC_ISSUER.startsWith('https://')) problems.push('OIDC_ISSUER: must be https:// in production');
  if (!e.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (!e.OIDC_REDIRECT_URI) problems.push('OIDC_REDIRECT_URI: required when OIDC_ISSUER is set (https://<this API>/auth/oidc/callback)');
  else if (!URL.canParse(e.OIDC_REDIRECT_URI) || new URL(e.OIDC_REDIRECT_URI).pathname !== '/auth/oidc/callback') {
    problems.push('OIDC_REDIRECT_URI: must be an absolute URL whose path is /auth/oidc/callback');
  }
  return problems;
}
