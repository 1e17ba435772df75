/**
 * Sign-in under the API's rate limit: the login page says when to try again and waits.
 * A stack of its own, with a tiny per-principal budget (anonymous requests count per IP).
 */
import type { Browser } from 'playwright-core';
import { connectBrowser, screenshot } from './support/browser';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(60_000);

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ worker: false, env: { RATE_LIMIT_MAX: '8', RATE_LIMIT_WINDOW_MS: '60000' } });
  browser = await connectBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('says RATE_LIMITED sign-ins must wait, and when to retry', async () => {
  const page = await browser.newPage();
  await page.goto(`${stack.origin}/#/login`);
  await page.fill('#login-username', stack.users.alice.username);
  let message = '';
  for (let i = 0; i < 12 && !message.includes('Too many'); i++) {
    await page.fill('#login-password', `wrong-${i}`);
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('mutation Login')),
      page.click('form button[type=submit]'),
    ]);
    await page.waitForFunction(() => !document.querySelector('form button[type=submit]')?.textContent?.includes('…'));
    message = (await page.textContent('[data-testid=login-error]')) ?? '';
  }
  expect(message).toMatch(/Too many sign-in attempts\. Try again in \d+ s/);
  const seconds = Number(/in (\d+) s/.exec(message)![1]);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(60);
  // the button waits out the window
  await expect(page.isDisabled('form button[type=submit]')).resolves.toBe(true);
  await screenshot(page, 'login-rate-limited');
});
