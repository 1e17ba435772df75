/**
 * The API restarts under an open page: the UI says it is reconnecting, reconnects by itself
 * (the cookie authenticates the new socket), refetches, and live updates flow again.
 */
import type { Browser } from 'playwright-core';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import { connectBrowser, screenshot, signIn } from './support/browser';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { startStack, WEB_DIST, type Stack } from './support/stack';

jest.setTimeout(60_000);

let stack: Stack;
let browser: Browser;
let second: TestApi | undefined;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  browser = await connectBrowser();
});

afterAll(async () => {
  await browser?.close();
  await second?.close();
  await stack?.close();
});

const liveState = (page: import('playwright-core').Page, text: string, timeout = 15_000) =>
  page.waitForFunction((t) => document.querySelector('[data-testid=live-state]')?.textContent === t, text, { timeout });

it('reconnects after an API restart and shows live updates again', async () => {
  const page = await browser.newPage();
  await signIn(page, stack.origin, stack.users.alice.username, stack.users.alice.password);
  await liveState(page, 'Live');

  const port = stack.api.port;
  await stack.api.close();
  await liveState(page, 'Reconnecting…');
  await screenshot(page, 'jobs-reconnecting');

  // same store, Redis prefix and port: what a restarted server looks like to the browser
  second = await startTestApi({
    mongoUri: stack.test.mongoUri,
    redisPrefix: stack.test.redisPrefix,
    env: { PORT: String(port), WEB_DIST_DIR: WEB_DIST, RATE_LIMIT_MAX: '100000' },
  });
  await liveState(page, 'Live', 30_000);

  const { createJob } = ok(await gql<{ createJob: { id: string } }>(stack.test.url, 'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }',
    { input: { command: 'echo after-restart' } }, { token: stack.users.alice.token }));
  await page.waitForSelector(`tr[data-job-id="${createJob.id}"]`, { timeout: 10_000 });
});
