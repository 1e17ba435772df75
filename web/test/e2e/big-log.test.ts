/**
 * A 20 MB log in the browser: it loads, stays virtualised (a few dozen rows in the DOM),
 * scrolls, searches, and says it was cut at the API's default 16 MiB cap.
 */
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, screenshot, signIn, submitJobInUi, waitForJobStatus } from './support/browser';
import { sharedStack, type SharedStack } from './support/shared-stack';

jest.setTimeout(240_000);

let stack: SharedStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = sharedStack();
  browser = await connectBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, stack.origin, stack.users.alice.username, stack.users.alice.password);
});

afterAll(async () => {
  await browser?.close();
});

const lineCount = (p: Page) =>
  p.$eval('[data-testid=search-status]', (el) => Number((el.textContent ?? '').replace(/[^\d]/g, '')));

it('loads, scrolls and searches a 20 MB log without rendering it all', async () => {
  // 300 000 lines of 70 bytes: 21 MB of output
  const command = `seq 1 300000 | awk '{ printf "row %07d the quick brown fox jumps over the lazy dog 0123456789\\n", $1 }'`;
  const { submittedAt } = await submitJobInUi(page, stack.origin, command);
  const status = await waitForJobStatus(page, ['SUCCEEDED', 'FAILED'], 120_000);
  expect(status).toBe('SUCCEEDED');
  await page.waitForSelector('[data-testid=truncated]', { timeout: 30_000 });

  // wait until the whole stored log has arrived (the count stops growing)
  let previous = -1;
  let count = await lineCount(page);
  while (count !== previous) {
    previous = count;
    await page.waitForTimeout(1000);
    count = await lineCount(page);
  }
  console.log(`20 MB log: ${count} lines in the browser ${Date.now() - submittedAt} ms after submit`);
  // 16 MiB of 70-byte lines, then the platform's truncation line
  expect(count).toBeGreaterThan(Math.floor((16 * 1024 * 1024) / 70) - 10);
  expect(count).toBeLessThan(300_000);
  const domRows = await page.$$eval('.log-line', (rows) => rows.length);
  expect(domRows).toBeLessThan(200);

  // scroll up through it with the wheel: the follow mode lets go, rows keep rendering
  const started = Date.now();
  await page.hover('.log-body');
  for (let i = 0; i < 30; i++) await page.mouse.wheel(0, -4000);
  await page.waitForTimeout(200);
  const afterScroll = await page.$$eval('.log-line', (rows) => rows.map((r) => Number(r.getAttribute('data-line'))));
  console.log(`30 wheel scrolls over the 20 MB log: ${Date.now() - started} ms`);
  expect(afterScroll.length).toBeGreaterThan(10);
  expect(Math.max(...afterScroll)).toBeLessThan(count - 100);
  await expect(page.textContent('[data-testid=follow]')).resolves.toBe('Follow');

  // several matches: Enter walks forward, Shift+Enter back
  await page.fill('#log-search', 'row 012345');
  await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.textContent === '10 matches');
  await page.press('#log-search', 'Enter');
  await expect(page.textContent('[data-testid=search-status]')).resolves.toBe('1 of 10');
  await expect(page.textContent('.log-current .log-text')).resolves.toContain('row 0123450 ');
  await page.press('#log-search', 'Enter');
  await page.waitForFunction(() => document.querySelector('.log-current .log-text')?.textContent?.includes('row 0123451 '));
  await page.press('#log-search', 'Shift+Enter');
  await page.waitForFunction(() => document.querySelector('.log-current .log-text')?.textContent?.includes('row 0123450 '));
  await expect(page.textContent('[data-testid=search-status]')).resolves.toBe('1 of 10');

  // search jumps to the one matching row
  const searchStarted = Date.now();
  await page.fill('#log-search', 'row 0123456 ');
  await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.textContent === '1 match');
  await page.press('#log-search', 'Enter');
  await page.waitForSelector('.log-current');
  await expect(page.textContent('[data-testid=search-status]')).resolves.toBe('1 of 1');
  console.log(`search over the 20 MB log: ${Date.now() - searchStarted} ms`);
  await expect(page.textContent('.log-current .log-text')).resolves.toContain('row 0123456 the quick');
  await expect(page.textContent('.log-current mark')).resolves.toBe('row 0123456');
  await screenshot(page, 'job-big-log-search');

  // back to the tail
  await page.fill('#log-search', '');
  await page.click('[data-testid=follow]');
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('.log-line')].some((r) => Number(r.getAttribute('data-line')) === n),
    count,
  );
  const last = await page.$$eval('.log-line', (rows) => rows.map((r) => [r.getAttribute('data-stream'), r.textContent ?? '']).at(-1)!);
  expect(last[0]).toBe('SYSTEM');
  expect(last[1]).toMatch(/truncated/);
  await screenshot(page, 'job-big-log-tail');
});
