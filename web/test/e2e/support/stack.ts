import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAgent, type Agent } from '@cmd-executor/worker';
import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { startTestApi, TEST_ADMIN, type TestApi } from '@cmd-executor/test-support/test-api';
import { agentLogger } from './agent-logger';

export const WEB_DIST = path.resolve(__dirname, '../../../dist');

export interface Stack {
  /** http://127.0.0.1:<port>: the API, which also serves the built UI */
  origin: string;
  api: TestApi['api'];
  /** the test API handle (its store and Redis prefix, for a second instance) */
  test: TestApi;
  agent: Agent | undefined;
  adminToken: string;
  users: Record<'alice' | 'bob', { username: string; password: string; token: string }>;
  close(): Promise<void>;
}

export const ADMIN = TEST_ADMIN;

/**
 * The real API (startTestApi: embedded MongoDB, real Redis under a unique prefix) serving web/dist, two
 * plain users, and one real worker agent registered with a token the admin issued.
 */
export interface StackOptions {
  logMaxBytes?: number;
  /** more API environment, e.g. a small RATE_LIMIT_MAX */
  env?: Record<string, string>;
  /** false: no worker agent (UI-only tests) */
  worker?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`${WEB_DIST}/index.html is missing: run \`npm run build -w web\` first`);
  }
  const cleanup: (() => Promise<unknown>)[] = [];
  const close = async () => {
    const errors: unknown[] = [];
    for (const step of cleanup.reverse()) await step().catch((e: unknown) => errors.push(e));
    if (errors.length) throw errors[0];
  };
  try {
    const test = await startTestApi({
      env: {
        WEB_DIST_DIR: WEB_DIST,
        // the browser tests make many requests quickly from one address
        RATE_LIMIT_MAX: '100000',
        LOG_MAX_BYTES: String(options.logMaxBytes ?? 16 * 1024 * 1024),
        ...options.env,
      },
    });
    cleanup.push(() => test.close());
    const api = test.api;
    const origin = `http://127.0.0.1:${api.port}`;
    const adminToken = test.adminToken;

    const users = {} as Stack['users'];
    for (const username of ['alice', 'bob'] as const) {
      const { token, password } = await createUser(test, username, 'USER', `${username}-password-e2e`);
      users[username] = { username, password, token };
    }

    if (options.worker === false) return { origin, api, test, agent: undefined, adminToken, users, close };

    const workerToken = await createWorkerToken(test, 'e2e-web-worker', ['linux', 'e2e']);
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'e2e-web-worker-'));
    cleanup.push(() => rm(workDir, { recursive: true, force: true }));
    const agent = await startAgent({
      server: origin,
      token: workerToken.token,
      name: 'e2e-web-worker',
      labels: ['linux', 'e2e'],
      concurrency: 4,
      workDir,
      killGraceSeconds: 2,
      shutdownTimeoutSeconds: 5,
      logger: agentLogger(),
    });
    cleanup.push(() => agent.stop());
    return { origin, api, test, agent, adminToken, users, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
