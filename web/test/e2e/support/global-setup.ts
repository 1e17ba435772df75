/**
 * Global setup of the e2e jest project: one Chromium for every browser test file (each file
 * connects to it and opens contexts of its own), and one API stack with a worker for the files
 * that need no API configuration of their own. Launching Chromium, starting an API and loading
 * the API's modules into the test file cost 4–10 s per file; now once per run.
 * Torn down by support/global-teardown.ts. Jest loads this outside the test environment (Node's
 * module resolution, no moduleNameMapper): the shared stack's worker agent and MongoDB-wire server
 * are the built packages (`npm run build`, which the e2e tier needs anyway), the API its sources.
 */
import { chromium } from 'playwright-core';
import { BROWSER_WS_ENV, CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';
import { SHARED_STACK_ENV, type SharedStack } from './shared-stack';
import { ADMIN, startStack } from './stack';
import { SHARED_RESOURCES, type SharedResources } from './shared-resources';

export default async function globalSetup(): Promise<void> {
  const held: SharedResources = {};
  (globalThis as Record<symbol, SharedResources>)[SHARED_RESOURCES] = held;
  try {
    held.browser = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    // Test files read process.env as it is after the global setup (jest copies it into each file's environment).
    process.env[BROWSER_WS_ENV] = held.browser.wsEndpoint();
    // Every file signs in from 127.0.0.1: the per-address sign-in budget (20 a minute by default) is
    // for one stack per file, not for all of them together.
    const stack = await startStack({ env: { LOGIN_RATE_LIMIT_MAX: '100000' } });
    held.stack = stack;
    const shared: SharedStack = { origin: stack.origin, url: stack.test.url, admin: ADMIN, adminToken: stack.adminToken, users: stack.users };
    process.env[SHARED_STACK_ENV] = JSON.stringify(shared);
  } catch (err) {
    // jest runs no teardown after a failed setup
    await held.browser?.close().catch(() => undefined);
    throw err;
  }
}
