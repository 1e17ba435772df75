import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AppConfig } from './config';
import { createLogger, type Logger } from './logger';
import { AuditService } from './services/audit.service';
import { AuthService } from './services/auth.service';
import { JobService } from './services/job.service';
import { LoginThrottle } from './services/login-throttle';
import { createOidcService, type OidcService } from './services/oidc.factory';
import { RateLimitService } from './services/rate-limit.service';
import { UserService } from './services/user.service';
import { WorkerAdminService } from './services/worker-admin.service';
import { WorkerQueryService } from './services/worker-query.service';
import { WorkerTokenService } from './services/worker-token.service';
import { leaseSettings, type LeaseSettings } from './domain/lease';
import { ApiMetrics } from './observability/api-metrics';
import { DispatchService } from './services/dispatch.service';
import { JobLogService } from './services/job-log.service';
import { SweeperService } from './services/sweeper.service';
import { WorkerChannelService } from './services/worker-channel.service';
import { createLock, type LockPort } from './storage/lock';
import { connectMongo, type MongoHandle } from './storage/mongo-connection';
import { createMemoryPubSub, createRedisPubSub, type PubSubPort } from './storage/pubsub';
import { MemoryLoginLockout, MemoryRateLimiter, RedisLoginLockout, RedisRateLimiter, type LoginLockoutStore, type RateLimiter } from './storage/rate-limit';
import { RedisConnectionWatch } from './storage/redis/connection-watch';
import { createRedisClient } from './storage/redis/redis-client.factory';

export interface AppServices {
  audit: AuditService;
  users: UserService;
  workerTokens: WorkerTokenService;
  auth: AuthService;
  jobs: JobService;
  workers: WorkerQueryService;
  rateLimit: RateLimitService;
  loginThrottle: LoginThrottle;
  jobLogs: JobLogService;
  dispatcher: DispatchService;
  workerChannel: WorkerChannelService;
  sweeper: SweeperService;
  workerAdmin: WorkerAdminService;
  /** Present when OIDC_ISSUER is set. */
  oidc?: OidcService;
}

/** The composition root: every long-lived thing the API holds, and how to let go of it. */
export interface AppContainer {
  readonly config: AppConfig;
  readonly logger: Logger;
  /** This process's identity among replicas (worker sockets, sweeper lock ownership). */
  readonly instanceId: string;
  readonly pubsub: PubSubPort;
  /** Commands client; undefined when REDIS_URL is unset. */
  readonly redis?: Redis;
  readonly rateLimiter: RateLimiter;
  readonly lock: LockPort;
  readonly mongo: MongoHandle;
  readonly services: AppServices;
  /** Prometheus metrics of this replica (served at /metrics). */
  readonly metrics: ApiMetrics;
  /** Registers a cleanup run by close(), in reverse order of registration. */
  onClose(name: string, fn: () => Promise<void> | void): void;
  /** Runs every cleanup even when one fails; rejects with the failures afterwards. */
  close(): Promise<void>;
}

export interface ContainerDeps {
  logger?: Logger;
  /** Lease/retry/sweep timings beyond LEASE_SECONDS and HEARTBEAT_SECONDS (tests shorten them). */
  lease?: Partial<LeaseSettings>;
  /** How long a live log stream waits for a missing seq before skipping it. */
  logGapWaitMs?: number;
}

export async function createAppContainer(config: AppConfig, deps: ContainerDeps = {}): Promise<AppContainer> {
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const cleanups: Array<{ name: string; fn: () => Promise<void> | void }> = [];
  const onClose = (name: string, fn: () => Promise<void> | void): void => {
    cleanups.push({ name, fn });
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const failures: unknown[] = [];
      for (const { name, fn } of [...cleanups].reverse()) {
        try {
          await fn();
        } catch (err) {
          failures.push(err);
          logger.error({ err, step: name }, 'cleanup step failed');
        }
      }
      if (failures.length > 0) throw new AggregateError(failures, 'some cleanup steps failed');
    })();
    return closing;
  };

  try {
    const mongo = await connectMongo({ uri: config.mongo.uri, poolSize: config.mongo.poolSize, inProcess: config.mongo.inProcess, logger });
    onClose('mongo', () => mongo.close());

    let redis: Redis | undefined;
    let pubsub: PubSubPort;
    let rateLimiter: RateLimiter;
    let lockouts: LoginLockoutStore;
    if (config.redis.url) {
      const watch = new RedisConnectionWatch(logger);
      const r = createRedisClient(config.redis.url, watch, 'commands');
      redis = r;
      onClose('redis', () => quit(r));
      const subscriber = createRedisClient(config.redis.url, watch, 'subscriber');
      await Promise.all([r.connect(), subscriber.connect()]);
      pubsub = createRedisPubSub({ publisher: r, subscriber, prefix: config.redis.prefix, logger });
      rateLimiter = new RedisRateLimiter(r, config.redis.prefix);
      lockouts = new RedisLoginLockout(r, config.redis.prefix);
    } else {
      logger.warn('REDIS_URL is unset: pub/sub, locks and rate limits are in-process (one replica only)');
      pubsub = createMemoryPubSub();
      rateLimiter = new MemoryRateLimiter();
      lockouts = new MemoryLoginLockout();
    }
    onClose('login lockouts', () => lockouts.close());
    onClose('pubsub', () => pubsub.close());
    onClose('rate limiter', () => rateLimiter.close());
    // Metrics watch what this replica publishes and refuses, through the same ports the services use.
    const metrics = new ApiMetrics();
    pubsub = metrics.observePubSub(pubsub);
    rateLimiter = metrics.observeRateLimiter(rateLimiter);
    const lock = createLock(redis, config.redis.prefix);

    const instanceId = randomUUID();
    const lease = leaseSettings(config.jobs.leaseSeconds, config.jobs.heartbeatSeconds, { lostAttemptRetries: config.jobs.lostAttemptRetries, ...deps.lease });
    const audit = new AuditService();
    const users = new UserService(audit, logger, pubsub);
    const workerTokens = new WorkerTokenService([config.auth.workerTokenSecret, ...config.auth.workerTokenPreviousSecrets], config.auth.workerTokenTtlDays, audit, pubsub);
    const workers = new WorkerQueryService();
    const rateLimit = new RateLimitService(rateLimiter, config.rateLimit, logger);
    const loginThrottle = new LoginThrottle({ limiter: rateLimiter, lockouts, settings: { ...config.rateLimit.login, oidcMax: config.rateLimit.oidcMax }, lockout: config.loginLockout, failOpen: config.rateLimit.failOpen, logger });
    const auth = new AuthService(users, workerTokens, { current: config.auth.jwtSecret, previous: config.auth.jwtPreviousSecrets }, config.auth.jwtTtlSeconds, loginThrottle, audit);
    const workerAdmin = new WorkerAdminService(audit);
    const jobLogs = new JobLogService({ pubsub, logger, logMaxBytes: config.jobs.logMaxBytes, gapWaitMs: deps.logGapWaitMs });
    // The dispatcher first: the job service and the worker channel are built with it.
    const dispatcher = new DispatchService({ pubsub, logger, lease, jobLogs, instanceId, observer: metrics.dispatchObserver() });
    const jobs = new JobService(pubsub, audit, dispatcher);
    const workerChannel = new WorkerChannelService({ pubsub, logger, lease, instanceId, dispatcher, jobLogs, audit });
    const sweeper = new SweeperService({ pubsub, logger, lock, lease, dispatcher });
    const services: AppServices = { audit, users, workerTokens, auth, jobs, workers, rateLimit, loginThrottle, workerAdmin, jobLogs, dispatcher, workerChannel, sweeper, oidc: createOidcService(config, audit, logger) };

    await dispatcher.start();
    onClose('dispatcher', () => dispatcher.close());
    sweeper.start();
    onClose('sweeper', () => sweeper.close());

    return { config, logger, instanceId, pubsub, redis, rateLimiter, lock, mongo, services, metrics, onClose, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

async function quit(r: Redis): Promise<void> {
  if (r.status !== 'ready') {
    r.disconnect(); // Redis away: nothing to say goodbye to, and no reconnect after this
    return;
  }
  try {
    await r.quit();
  } catch {
    r.disconnect();
  }
}
