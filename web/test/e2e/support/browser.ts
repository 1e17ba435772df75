import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.resolve(__dirname, '../../../../test-output/screenshots');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** The shared Chromium's WebSocket endpoint, set by the e2e global setup (support/global-setup.ts). */
export const BROWSER_WS_ENV = 'E2E_CHROMIUM_WS';

/**
 * A connection to the Chromium the e2e global setup launched once for all files (a launch of
 * its own when there is none). Files isolate themselves with fresh contexts; close() closes the
 * contexts this connection made and disconnects, leaving the browser to the next file.
 * Connected remotely, a download is read with saveAs()/createReadStream(), not path().
 */
export async function connectBrowser(): Promise<Browser> {
  const wsEndpoint = process.env[BROWSER_WS_ENV];
  if (wsEndpoint) return chromium.connect(wsEndpoint);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: opts.fullPage ?? true });
}

/**
 * Every request the page makes must go to the API's origin (no CDN fonts or scripts):
 * collects the others so a test can assert there were none.
 */
export function recordForeignRequests(page: Page, origin: string, foreign: string[] = []): string[] {
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}

export async function signIn(page: Page, origin: string, username: string, password: string): Promise<void> {
  await page.goto(`${origin}/#/login`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('form button[type=submit]');
  await page.waitForSelector('h1:text-is("Jobs")');
}

/** Fills the submit form on the jobs page and runs; resolves on the job page with its id. */
export async function submitJobInUi(page: Page, origin: string, command: string): Promise<{ jobId: string; submittedAt: number }> {
  if (!page.url().includes('#/jobs') || page.url().includes('#/jobs/')) {
    await page.goto(`${origin}/#/jobs`);
    await page.waitForSelector('h1:text-is("Jobs")');
  }
  if (!(await page.$('textarea[name=command]'))) await page.click('button:text-is("New job")');
  await page.fill('textarea[name=command]', command);
  const submittedAt = Date.now();
  await page.click('form.submit-form button[type=submit]');
  await page.waitForURL(/#\/jobs\/[^/?]+$/);
  const jobId = decodeURIComponent(page.url().split('#/jobs/')[1]!);
  return { jobId, submittedAt };
}

/** The status the job page header shows. */
export async function jobStatus(page: Page): Promise<string | null> {
  return page.getAttribute('.job-head .badge', 'data-status');
}

export async function waitForJobStatus(page: Page, statuses: string[], timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    (wanted) => wanted.includes(document.querySelector('.job-head .badge')?.getAttribute('data-status') ?? ''),
    statuses,
    { timeout },
  );
  return (await jobStatus(page))!;
}

/** Text of the log rows in the DOM (the view is virtualised: only rows near the viewport). */
export async function renderedLogLines(page: Page): Promise<{ n: number; text: string; stream: string }[]> {
  return page.$$eval('.log-line', (rows) =>
    rows.map((r) => ({
      n: Number(r.getAttribute('data-line')),
      text: r.querySelector('.log-text')?.textContent ?? '',
      stream: r.getAttribute('data-stream') ?? '',
    })),
  );
}
