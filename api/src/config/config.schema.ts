import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Every environment variable the API reads, with its development default. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(0, 65535).default(4000),
  /** Default: 127.0.0.1 outside production (nothing else can reach a fresh install), 0.0.0.0 in production. */
  HOST: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  MONGODB_URI: optionalString,
  MONGO_POOL_SIZE: int(1, 1000).default(20),
  /**
   * When the store is the embedded server in this process, the hot paths (claims, starts,
   * completions, log chunks) call it directly instead of over its socket: the same commands
   * and replies, without encoding them twice. `false` sends them over the driver as well.
   */
  MONGO_IN_PROCESS: bool.default(true),
  REDIS_URL: optionalString,
  /** Prefix for every Redis key and channel, so deployments (and tests) can share one Redis. */
  REDIS_PREFIX: z.string().default('cmdx:'),

  /** Unset outside production: `npm start` keeps random ones in the data dir (secrets.json). */
  JWT_SECRET: optionalString,
  JWT_TTL_SECONDS: int(60, 30 * 24 * 3600).default(12 * 3600),
  WORKER_TOKEN_SECRET: optionalString,
  /** Comma-separated secrets JWT_SECRET replaced: their tokens still verify until removed here. */
  JWT_SECRET_PREVIOUS: optionalString,
  /** Comma-separated secrets WORKER_TOKEN_SECRET replaced: their worker tokens still verify until removed here. */
  WORKER_TOKEN_SECRET_PREVIOUS: optionalString,
  /** 0: worker tokens never expire (they stay revocable). */
  WORKER_TOKEN_TTL_DAYS: int(0, 3650).default(0),

  OIDC_ISSUER: optionalString,
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_REDIRECT_URI: optionalString,
  /** ID token claim whose values may make a first-time OIDC user an ADMIN. */
  OIDC_ADMIN_CLAIM: z.string().trim().min(1).default('groups'),
  /** Comma-separated values of OIDC_ADMIN_CLAIM that mean ADMIN; empty: every OIDC user starts as USER. */
  OIDC_ADMIN_VALUES: z.string().default(''),
  /** The login button says "Sign in with <this>". */
  OIDC_DISPLAY_NAME: z.string().trim().min(1).max(60).default('SSO'),

  ALLOWED_ORIGINS: z.string().default('http://localhost:5173,http://localhost:4000'),
  /** `none` lets a web UI on another site use the session cookie (sent with Secure, so only over TLS). */
  COOKIE_SAMESITE: z.enum(['lax', 'strict', 'none']).default('lax'),
  ENFORCE_TLS: bool.default(false),

  RATE_LIMIT_WINDOW_MS: int(100, 24 * 3600 * 1000).default(60_000),
  RATE_LIMIT_MAX: int(1, 10_000_000).default(600),
  WORKER_RATE_LIMIT_MAX: int(1, 10_000_000).default(60_000),
  /** Anonymous callers, per address (the lower of this and RATE_LIMIT_MAX applies). */
  ANON_RATE_LIMIT_MAX: int(1, 10_000_000).default(120),
  /** Login attempts per address, whatever their outcome. */
  LOGIN_RATE_LIMIT_MAX: int(1, 10_000_000).default(20),
  LOGIN_RATE_LIMIT_WINDOW_MS: int(100, 24 * 3600 * 1000).default(60_000),
  /** Failed logins for one username (from any address) within LOGIN_FAILURE_WINDOW_SECONDS before it is locked. */
  LOGIN_FAILURES_MAX: int(1, 1000).default(5),
  LOGIN_FAILURE_WINDOW_SECONDS: int(1, 24 * 3600).default(15 * 60),
  /** The first lockout of a username; each further one doubles, up to LOGIN_LOCKOUT_MAX_SECONDS. */
  LOGIN_LOCKOUT_SECONDS: int(1, 24 * 3600).default(60),
  LOGIN_LOCKOUT_MAX_SECONDS: int(1, 24 * 3600).default(15 * 60),
  /** Requests to /auth/oidc/* per address and LOGIN_RATE_LIMIT_WINDOW_MS (each starts or ends a sign-in flow). */
  OIDC_RATE_LIMIT_MAX: int(1, 10_000_000).default(30),
  /** Proxies in front of the API: the client address is the X-Forwarded-For entry this many hops from the right. 0: the socket's address, X-Forwarded-For ignored. */
  TRUST_PROXY: int(0, 20).default(0),
  /** When the limiter's store (Redis) is down: let requests through (true) or answer 503 (false). Default: true except in production. */
  RATE_LIMIT_FAIL_OPEN: bool.optional(),

  GRAPHQL_INTROSPECTION: bool.optional(),
  /** GraphiQL at /graphiql (and /graphql for browsers): on except in production. Turns introspection on unless GRAPHQL_INTROSPECTION says otherwise. */
  GRAPHQL_PLAYGROUND: bool.optional(),
  QUERY_MAX_DEPTH: int(2, 100).default(12),
  QUERY_MAX_COST: int(10, 1_000_000).default(5000),

  ADMIN_USERNAME: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: optionalString,

  LEASE_SECONDS: int(2, 3600).default(15),
  HEARTBEAT_SECONDS: int(1, 600).default(5),
  /** Attempts lost to the platform (worker lost, agent shut down, lease lapsed) retried per job without using up maxAttempts. */
  LOST_ATTEMPT_RETRIES: int(0, 100).default(2),
  LOG_MAX_BYTES: int(1024, 1024 * 1024 * 1024).default(16 * 1024 * 1024),

  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  /** After a stop signal, /readyz answers 503 for this long before the listener closes (load balancers drain). */
  SHUTDOWN_DELAY_MS: int(0, 600_000).default(0),
  /** Production: /metrics on the main port needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalString,
  /** Serves /metrics (without a token) on this port only, e.g. one not exposed outside the cluster. */
  METRICS_PORT: int(1, 65535).optional(),
  /** Directory of the built web UI served at `/` when it exists. */
  WEB_DIST_DIR: optionalString,
  /** The API's address as other hosts reach it (install commands); else the request's host. */
  PUBLIC_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s/]+/.test(v), 'must be an http(s):// URL'),
});

export type RawEnv = z.input<typeof envSchema>;
