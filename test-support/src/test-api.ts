import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createAppContainer, type AppContainer, type ContainerDeps } from '@cmd-executor/api/src/app-container';
import { loadConfig, type AppConfig } from '@cmd-executor/api/src/config';
import { createLogger } from '@cmd-executor/api/src/logger';
import { startApiServer, type ApiServer } from '@cmd-executor/api/src/server';
import { startMongoWireServer } from '@cmd-executor/mongo-wire';
import { login } from './graphql-client';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_ADMIN = { username: 'admin', password: 'admin-password-for-tests' };

export interface TestApi {
  url: string;
  wsUrl: string;
  /** A JWT of the admin user. */
  adminToken: string;
  api: ApiServer;
  /** The API's services (owned by the test API: closed by `close()`). */
  container: AppContainer;
  config: AppConfig;
  mongoUri: string;
  redisPrefix: string;
  /** Stops the API, the embedded MongoDB-wire server it started (if any) and deletes its Redis keys. */
  close(): Promise<void>;
}

export interface StartTestApiOptions {
  /** Extra environment (strings, as in process.env): e.g. { RATE_LIMIT_MAX: '5' }. */
  env?: Record<string, string>;
  /** Share a store with another instance (its `mongoUri`); otherwise a fresh embedded server. */
  mongoUri?: string;
  /** Share Redis keys/channels with another instance (its `redisPrefix`); otherwise unique. */
  redisPrefix?: string;
  /** false: no Redis (in-process pub/sub and rate limits). */
  redis?: boolean;
  /** Collects every log line (parsed JSON) at level `debug` and above. */
  logs?: Array<Record<string, unknown>>;
  /** Container tuning, e.g. short lease timings. */
  containerDeps?: Omit<ContainerDeps, 'logger'>;
}

/** Random per test process: no secret written in the source signs anything. */
export const TEST_SECRETS = { JWT_SECRET: randomBytes(32).toString('base64url'), WORKER_TOKEN_SECRET: randomBytes(32).toString('base64url') };

/**
 * A real API on an ephemeral port: its own embedded MongoDB-wire server (started here, the API
 * only gets its URI), real Redis under a unique prefix, admin user `admin` / `admin-password-for-tests`. Logs are silent unless
 * TEST_LOG_LEVEL is set.
 */
export async function startTestApi(opts: StartTestApiOptions = {}): Promise<TestApi> {
  const mongo = opts.mongoUri ? undefined : await startMongoWireServer({ port: 0 });
  const mongoUri = opts.mongoUri ?? `${mongo!.uri}/cmd-executor`;
  const redisPrefix = opts.redisPrefix ?? `test:${randomBytes(6).toString('hex')}:`;
  const useRedis = opts.redis !== false;
  let container: AppContainer | undefined;
  let api: ApiServer | undefined;
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      // Explicit and shared by every instance of this test process (replicas verify each other's tokens).
      ...TEST_SECRETS,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // MONGO_IN_PROCESS=false runs the tier with the hot paths over the store's socket too
      ...(process.env.MONGO_IN_PROCESS ? { MONGO_IN_PROCESS: process.env.MONGO_IN_PROCESS } : {}),
      HOST: '127.0.0.1',
      PORT: '0',
      MONGODB_URI: mongoUri,
      ...(useRedis ? { REDIS_URL: TEST_REDIS_URL } : {}),
      REDIS_PREFIX: redisPrefix,
      ADMIN_USERNAME: TEST_ADMIN.username,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...opts.env,
    });
    const sink = opts.logs;
    const logger = sink
      ? createLogger({ level: 'debug', destination: { write: (line: string) => void sink.push(JSON.parse(line) as Record<string, unknown>) } })
      : undefined;
    container = await createAppContainer(config, { ...opts.containerDeps, ...(logger ? { logger } : {}) });
    const owned = container;
    const server = await startApiServer({ config, container: owned });
    // The caller gave the container, so the server leaves it open: close it after the server.
    api = { ...server, close: async () => { try { await server.close(); } finally { await owned.close(); } } };
    const adminToken = await login(api.url, TEST_ADMIN.username, TEST_ADMIN.password);
    const started = api;
    return {
      url: started.url,
      wsUrl: started.wsUrl,
      adminToken,
      api: started,
      container: started.container,
      config,
      mongoUri,
      redisPrefix,
      close: async () => {
        try {
          await started.close();
        } finally {
          await mongo?.close();
          if (useRedis && !opts.redisPrefix) await deleteRedisKeys(redisPrefix);
        }
      },
    };
  } catch (err) {
    if (api) await api.close().catch(() => undefined);
    else await container?.close().catch(() => undefined);
    await mongo?.close().catch(() => undefined);
    throw err;
  }
}

/** Deletes every key under `prefix` (a test's own keys). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
