#!/usr/bin/env node
/**
 * The embedded default (`npm start`): the API and the web UI it serves in this process, and
 * one local worker agent in a child process (see ./local-agent.ts). With MONGODB_URI unset this
 * process starts the embedded MongoDB-wire server (@cmd-executor/mongo-wire), which keeps its data
 * under --data-dir, and gives its URI to the configuration; with REDIS_URL unset pub/sub, locks
 * and rate limits are in-process.
 * `--no-local-worker` runs the API alone (production, compose).
 */
import 'reflect-metadata';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startMongoWireServer } from '@cmd-executor/mongo-wire';
import { ConfigError, ensurePrivateDir, loadConfig, loadOrCreateLocalSecrets } from './config';
import { createLogger, type Logger } from './logger';
import { startLocalAgent, type LocalAgent } from './local-agent';
import { startApiServer, type ApiServer } from './server';
import { installShutdownHandlers } from './shutdown';
import { localShutdownOptions } from './local-shutdown';
import { describeStartupFailure, preflight } from './startup-checks';
import { banner } from './banner';
import { UserModel } from './storage/models';
import { Role } from './domain/enums';

const LOCAL_WORKER_NAME = 'local';
/** sun_path holds 108 bytes on Linux (104 on macOS), its terminating NUL included */
const MAX_SOCKET_PATH = 100;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'no-local-worker': { type: 'boolean', default: false },
      'reset-admin-password': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: process.env.CMD_EXECUTOR_DATA_DIR ?? path.resolve('.data') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: cmd-executor [--no-local-worker] [--data-dir DIR] [--reset-admin-password]\n' +
        '  --no-local-worker       run the API (and web UI) only; agents connect from elsewhere\n' +
        '  --data-dir DIR          embedded MongoDB data, generated secrets and the local worker token (default ./.data)\n' +
        '  --reset-admin-password  give ADMIN_USERNAME a new random password and print it\n' +
        'Configuration comes from the environment: see README.md.\n',
    );
    return;
  }
  const dataDir = values['data-dir'];
  const bootLogger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'cmd-executor' });

  const cleanups: Array<{ name: string; run: () => Promise<void> }> = [];
  const stopAll = async (): Promise<void> => {
    // Reverse start order; every step runs even when an earlier one fails.
    for (const step of cleanups.reverse()) {
      try {
        await step.run();
      } catch (err) {
        bootLogger.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
  };
  let agent: LocalAgent | undefined;
  installShutdownHandlers(stopAll, bootLogger, process, localShutdownOptions(() => agent, LOCAL_WORKER_NAME));
  // Nothing is created (data, the first admin) by a start that cannot listen or whose data
  // another running instance holds.
  await preflight(loadConfig(), dataDir, !process.env.MONGODB_URI && process.env.NODE_ENV !== 'production');

  let config = loadConfig(withLocalSecrets(process.env, dataDir));
  // Production refuses to start without MONGODB_URI (loadConfig), so only development gets here.
  if (!config.mongo.uri) {
    const dbpath = path.join(dataDir, 'mongo');
    ensurePrivateDir(dataDir);
    ensurePrivateDir(dbpath);
    // A Unix socket in the private data dir: only this user can reach the store (a loopback port
    // is open to every local user), and each store command costs about a sixth less CPU than
    // over TCP. A path too long for a socket address falls back to a loopback port.
    const socketPath = path.join(dataDir, 'mongo-wire.sock');
    const listenOn = Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH ? { socketPath } : { port: 0 };
    const mongo = await startMongoWireServer({ ...listenOn, dbpath, logger: bootLogger });
    cleanups.push({ name: 'embedded mongo', run: () => mongo.close() });
    config = { ...config, mongo: { ...config.mongo, uri: `${mongo.uri}/cmd-executor` } };
    bootLogger.warn({ dbpath }, 'MONGODB_URI unset: using the embedded MongoDB-wire server (one machine only)');
  }

  const api = await startApiServer({ config });
  cleanups.push({ name: 'api', run: () => api.close() });

  if (!values['no-local-worker']) {
    const token = await localWorkerToken(api, dataDir, bootLogger);
    agent = startLocalAgent({
      server: api.url,
      token,
      name: LOCAL_WORKER_NAME,
      labels: ['local', os.platform()],
      concurrency: Math.max(2, os.cpus().length),
      workDir: path.resolve(dataDir, 'work'),
      logLevel: process.env.LOG_LEVEL ?? 'info',
      logger: bootLogger.child({ component: 'local-worker' }),
    });
    cleanups.push({ name: 'local worker', run: () => agent!.stop() });
  }

  const resetPassword = values['reset-admin-password'] ? await api.container.services.users.resetPassword(config.auth.adminUsername) : undefined;
  process.stdout.write(
    banner({
      apiUrl: api.url,
      host: config.host,
      port: api.port,
      adminUsername: config.auth.adminUsername,
      adminPasswordFromEnv: config.auth.adminPassword !== undefined,
      newPassword: resetPassword ?? api.firstAdmin?.password,
      newPasswordWhy: resetPassword ? 'reset' : 'first start',
      worker: agent ? `local agent "${LOCAL_WORKER_NAME}" (pid ${agent.pid ?? '?'})` : 'none (--no-local-worker)',
    }),
  );
}

/**
 * Outside production, unset JWT_SECRET / WORKER_TOKEN_SECRET come from the data dir
 * (random at first start, mode 0600), so no published value ever signs a session.
 */
function withLocalSecrets(env: NodeJS.ProcessEnv, dataDir: string): NodeJS.ProcessEnv {
  if (env.NODE_ENV === 'production' || (env.JWT_SECRET && env.WORKER_TOKEN_SECRET)) return env;
  const kept = loadOrCreateLocalSecrets(dataDir);
  return { ...env, JWT_SECRET: env.JWT_SECRET || kept.JWT_SECRET, WORKER_TOKEN_SECRET: env.WORKER_TOKEN_SECRET || kept.WORKER_TOKEN_SECRET };
}

/**
 * The local agent keeps one identity across restarts: its token is kept (mode 0600) beside
 * the embedded data and minted again only when missing, revoked or expired.
 */
async function localWorkerToken(api: ApiServer, dataDir: string, logger: Logger): Promise<string> {
  const file = path.join(dataDir, 'local-worker-token');
  const tokens = api.container.services.workerTokens;
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved && (await tokens.verify(saved))) return saved;
  } catch {
    // missing or unreadable: mint a new one
  }
  const admin = await UserModel.findOne({ role: Role.ADMIN }).sort({ createdAt: 1 }).exec();
  if (!admin) throw new Error('no admin user exists to own the local worker token');
  const issued = await tokens.create({ id: admin.id as string, name: admin.username }, LOCAL_WORKER_NAME, ['local', os.platform()]);
  ensurePrivateDir(dataDir);
  writeFileSync(file, issued.token, { mode: 0o600 });
  chmodSync(file, 0o600);
  logger.info({ tokenId: issued.id }, 'minted a worker token for the local agent');
  return issued.token;
}

main().catch((err: unknown) => {
  const line = err instanceof ConfigError ? err.message : describeStartupFailure(err);
  if (line) {
    process.stderr.write(`cmd-executor: ${line}\n`);
  } else {
    process.stderr.write(`cmd-executor: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
