/**
 * The Audit page in real Chromium against the real API: an admin sees the actions just taken
 * (who, what, target, when, from where), filters them and loads older entries; a user sees
 * no link and, at the address, one sentence.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { createUser } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, ok } from '@cmd-executor/test-support/graphql-client';
import { connectBrowser, screenshot, signIn } from './support/browser';
import { sharedStack, type SharedStack } from './support/shared-stack';

jest.setTimeout(60_000);

let stack: SharedStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
// The shared stack's audit log holds the other files' actions too: the actor filtered on is a user of this file's own.
const bob = `audit-bob-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  stack = sharedStack();
  await createUser({ url: stack.url, adminToken: stack.adminToken }, bob, 'USER', `${bob}-password`);
  browser = await connectBrowser();
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
});

const asAdmin = (query: string) => gql(stack.url, query, undefined, { token: stack.adminToken });
const rows = 'table.audit tbody tr[data-audit-action]';

it('shows an admin the audited actions with actor, target and address; filters by action and actor; loads more', async () => {
  const failed = await gql(stack.url, 'mutation ($u: String!) { login(username: $u, password: "not-bobs") { token } }', { u: bob });
  expect(errorCode(failed)).toBe('UNAUTHENTICATED');
  const job = ok(await gql<{ createJob: { id: string } }>(stack.url, 'mutation { createJob(input: { command: "sleep 60" }) { id } }', undefined, { token: stack.users.alice.token })).createJob;
  ok(await asAdmin(`mutation { cancelJob(id: "${job.id}") { id } }`));
  // More than one page (50) of entries, so the oldest are behind "Load more".
  for (let i = 0; i < 52; i += 1) ok(await asAdmin(`mutation { createWorkerToken(name: "audit-token-${i}") { id } }`));

  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, stack.origin, stack.admin.username, stack.admin.password);
  await page.click('nav[aria-label=Main] a:text-is("Audit")');
  await page.waitForSelector('h1:text-is("Audit log")');
  await page.waitForSelector(`${rows}[data-audit-action="workerToken.create"]`);

  // Newest first: the admin's own sign-in just now, then the last token.
  const first = await page.$$eval(rows, (trs) => trs.slice(0, 2).map((tr) => [tr.getAttribute('data-audit-action'), tr.textContent]));
  expect(first[0]![0]).toBe('auth.signIn');
  expect(first[0]![1]).toContain('admin');
  expect(first[1]![1]).toContain('audit-token-51');
  expect(await page.$$(rows)).toHaveLength(50);

  await page.click('button:text-is("Load more")');
  await page.waitForSelector(`${rows}[data-audit-action="job.cancel"]`);
  const cancel = await page.textContent(`${rows}[data-audit-action="job.cancel"]`);
  expect(cancel).toMatch(/admin.*canceled a job.*owner/);
  expect(cancel).toMatch(/127\.0\.0\.1/);
  const failedRow = await page.textContent(`${rows}[data-audit-action="auth.signInFailed"][data-audit-actor="${bob}"]`);
  expect(failedRow).toContain('failed to sign in');
  expect(failedRow).not.toContain('not-bobs');
  expect((await page.$$(rows)).length).toBeGreaterThan(55);

  // Filter by action: only failed sign-ins remain, and the URL keeps the filter.
  await page.selectOption('#audit-action', 'auth.signInFailed');
  await page.waitForFunction(() => {
    const trs = [...document.querySelectorAll('table.audit tbody tr[data-audit-action]')];
    return trs.length > 0 && trs.every((tr) => tr.getAttribute('data-audit-action') === 'auth.signInFailed');
  });
  expect(page.url()).toContain('action=auth.signInFailed');

  // Filter by actor as well: bob's failure, nobody else's.
  await page.fill('#audit-actor', bob);
  await page.click('form[role=search] button:text-is("Filter")');
  await page.waitForFunction((actor) => {
    const trs = [...document.querySelectorAll('table.audit tbody tr[data-audit-action]')];
    return trs.length === 1 && trs[0]!.getAttribute('data-audit-actor') === actor;
  }, bob);
  await screenshot(page, 'audit-filtered');

  await page.click('form[role=search] button:text-is("Clear")');
  await page.waitForFunction(() => document.querySelectorAll('table.audit tbody tr[data-audit-action]').length === 50);
  await screenshot(page, 'audit');

  // On a phone the filters wrap (each label beside its control) and entries stack as cards: the page never scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // What a phone shows first (a long list's full page is too tall to read as a picture).
  await screenshot(page, 'audit-390px', { fullPage: false });
});

it('gives a non-admin no link, and a clear sentence at the address', async () => {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, stack.origin, stack.users.alice.username, stack.users.alice.password);
  expect(await page.$('nav[aria-label=Main] a:text-is("Audit")')).toBeNull();
  await page.goto(`${stack.origin}/#/audit`);
  expect(await page.textContent('[data-testid=audit-forbidden]')).toBe('The audit log is for admins only. Ask an admin if you need to know who did what.');
  expect(await page.$('table.audit')).toBeNull();
});
