/**
 * Single sign-on in the browser: the login page offers "Sign in with …", the real issuer's
 * (oidc-provider's development) login form, and back on the jobs page as that user. A refusal
 * at the issuer comes back to the login page as a sentence.
 */
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startTestIssuer, type TestIssuer } from '@cmd-executor/test-support/oidc-issuer';
import { connectBrowser, screenshot } from './support/browser';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(90_000);

let issuer: TestIssuer;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`;
  issuer = await startTestIssuer([redirectUri]);
  stack = await startStack({
    worker: false,
    env: {
      PORT: String(port),
      OIDC_ISSUER: issuer.url,
      OIDC_CLIENT_ID: issuer.clientId,
      OIDC_CLIENT_SECRET: issuer.clientSecret,
      OIDC_REDIRECT_URI: redirectUri,
      OIDC_DISPLAY_NAME: 'Test IdP',
    },
  });
  browser = await connectBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await issuer?.stop();
});

async function toIssuerLogin(page: Page): Promise<void> {
  await page.route('https://fonts.googleapis.com/**', (route) => route.abort());
  await page.goto(`${stack.origin}/#/login`);
  const button = page.getByRole('link', { name: 'Sign in with Test IdP' });
  await button.waitFor();
  await button.click();
  await page.waitForURL((u) => u.origin === issuer.url);
  await page.waitForSelector('input[name=login]');
}

it('signs in through the issuer and lands on the jobs page as that user', async () => {
  const page = await browser.newPage();
  // Our pages load nothing from elsewhere; navigating to the issuer is the one way out. (The
  // issuer's own development pages ask for web fonts: refused here, there is no internet.)
  const foreign: string[] = [];
  page.on('request', (r) => {
    const from = r.frame().url();
    if (from.startsWith(stack.origin) && !r.isNavigationRequest() && new URL(r.url()).origin !== stack.origin) foreign.push(r.url());
  });
  await page.route('https://fonts.googleapis.com/**', (route) => route.abort());
  await page.goto(`${stack.origin}/#/login`);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor();
  await screenshot(page, 'oidc-login-page');

  await toIssuerLogin(page);
  await screenshot(page, 'oidc-issuer-login-form');
  await page.fill('input[name=login]', 'grace');
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
  // The issuer asks for consent once.
  await page.waitForSelector('button:text("Continue")');
  await page.click('button:text("Continue")');

  await page.waitForURL((u) => u.origin === stack.origin && u.hash.startsWith('#/jobs'));
  await page.waitForSelector('h1:text-is("Jobs")');
  await expect(page.textContent('.topbar')).resolves.toContain('grace');
  await screenshot(page, 'oidc-signed-in-jobs');
  expect(foreign).toEqual([]);
  await page.close();
});

it('comes back to the login page with a sentence when the sign-in is cancelled at the issuer', async () => {
  const page = await browser.newPage();
  await toIssuerLogin(page);
  await page.click('a[href*="/abort"]');
  await page.waitForURL((u) => u.origin === stack.origin);
  const alert = page.getByTestId('oidc-error');
  await alert.waitFor();
  // The provider's name comes from /auth/config after the page renders: wait for it to be shown.
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor();
  await expect(alert.textContent()).resolves.toBe('Sign-in was cancelled or refused at Test IdP.');
  await screenshot(page, 'oidc-access-denied');
  await page.close();
});
