/**
 * The worker tokens list on the Workers page, in real Chromium against the real API: rotate
 * gives a new token while the old one still works (grace), revoke ends a token at once.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { errorCode, gql } from '@cmd-executor/test-support/graphql-client';
import { connectBrowser, screenshot, signIn } from './support/browser';
import { sharedStack, type SharedStack } from './support/shared-stack';

jest.setTimeout(60_000);

let stack: SharedStack;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  stack = sharedStack();
  browser = await connectBrowser();
});
afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
});

/** A user operation with a worker token: FORBIDDEN when the token is accepted, UNAUTHENTICATED when not. */
async function probe(token: string): Promise<unknown> {
  return errorCode(await gql(stack.url, '{ jobs { edges { cursor } } }', undefined, { headers: { 'x-worker-token': token } }));
}

async function issue(name: string, labels: string[], expiresInDays?: number): Promise<{ id: string; token: string }> {
  const r = await gql<{ createWorkerToken: { id: string; token: string } }>(
    stack.url,
    'mutation($n: String!, $l: [String!], $d: Int) { createWorkerToken(name: $n, labels: $l, expiresInDays: $d) { id token } }',
    { n: name, l: labels, d: expiresInDays },
    { token: stack.adminToken },
  );
  return r.data!.createWorkerToken;
}

it('lists tokens with their use and expiry; rotate shows a new token and keeps the old one for the grace; revoke ends one', async () => {
  const builder = await issue('builder', ['linux', 'x86_64']);
  const gpu = await issue('gpu-box', ['gpu'], 30);
  expect(await probe(builder.token)).toBe('FORBIDDEN'); // "last used" now

  context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
  const page = await context.newPage();
  await signIn(page, stack.origin, stack.admin.username, stack.admin.password);
  await page.goto(`${stack.origin}/#/workers`);
  const builderRow = 'tr[data-token-row="builder"]';
  const gpuRow = 'tr[data-token-row="gpu-box"]';
  await page.waitForSelector(builderRow);
  expect(await page.textContent(builderRow)).toMatch(/linux.*x86_64/);
  expect(await page.textContent(builderRow)).toMatch(/s ago|m ago/); // last used
  expect(await page.textContent(gpuRow)).toContain('never'); // never used
  expect(await page.getAttribute(gpuRow, 'data-state')).toBe('active');

  // Rotate: the dialog explains the grace, then the new token is shown once.
  await page.click(`${builderRow} button:has-text("Rotate")`);
  expect(await page.textContent('dialog[open]')).toContain('one hour');
  await page.click('dialog[open] button:text-is("Rotate")');
  const shown = await page.waitForSelector('[data-testid=rotated-token]');
  const [newToken, command] = await shown.$$eval('input', (inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  expect(newToken).not.toBe(builder.token);
  expect(command).toContain(newToken);
  await page.waitForSelector(`${builderRow} :text("previous token works until")`);
  expect(await probe(newToken)).toBe('FORBIDDEN');
  expect(await probe(builder.token)).toBe('FORBIDDEN'); // still inside the grace period

  // Revoke: the row says so and the token is refused.
  await page.click(`${gpuRow} button:has-text("Revoke")`);
  await page.click('dialog[open] button:text-is("Revoke")');
  await page.waitForSelector(`${gpuRow}[data-state=revoked]`);
  expect(await page.$(`${gpuRow} button:has-text("Rotate")`)).toBeNull();
  expect(await probe(gpu.token)).toBe('UNAUTHENTICATED');
  expect(await probe(newToken)).toBe('FORBIDDEN');

  // A token made in the form appears in the list without a reload.
  await page.fill('input[id$="-name"]', 'from-form');
  await page.click('button:text-is("Create token")');
  await page.waitForSelector('tr[data-token-row="from-form"][data-state=active]');
  await screenshot(page, 'worker-tokens');
});
