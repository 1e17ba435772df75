/**
 * The static build served from another origin (a second local port, another host name)
 * against the API: config.js names the API, which lists the UI's origin in ALLOWED_ORIGINS.
 * localhost vs 127.0.0.1 is another site, so the API's Lax cookie cannot be used: sign-in,
 * live jobs and live logs work through the session token held in memory.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectBrowser, renderedLogLines, screenshot, signIn, submitJobInUi, waitForJobStatus } from './support/browser';
import { gql } from './support/graphql-http';
import { ADMIN, startStack, WEB_DIST, type Stack } from './support/stack';

jest.setTimeout(90_000);

let stack: Stack;
let ui: Server;
let uiOrigin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const foreign: string[] = [];

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

/** Any static file host: web/dist as built, except config.js, which this deployment edits. */
function serveStatic(apiUrl: () => string): Server {
  return createServer((req, res) => {
    const urlPath = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (urlPath === '/config.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(`window.CMD_EXECUTOR_CONFIG = { apiUrl: ${JSON.stringify(apiUrl())} };\n`);
      return;
    }
    const file = path.join(WEB_DIST, urlPath === '/' ? 'index.html' : path.normalize(urlPath));
    if (!file.startsWith(WEB_DIST)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
}

beforeAll(async () => {
  let apiOrigin = '';
  ui = serveStatic(() => apiOrigin);
  await new Promise<void>((r) => ui.listen(0, '127.0.0.1', () => r()));
  uiOrigin = `http://localhost:${(ui.address() as AddressInfo).port}`;
  stack = await startStack({ env: { ALLOWED_ORIGINS: uiOrigin } });
  apiOrigin = stack.origin;
  browser = await connectBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  page = await context.newPage();
  if (process.env.DEBUG_XO) {
    page.on('console', (m) => console.log('console', m.type(), m.text()));
    page.on('requestfailed', (r) => console.log('failed', r.url(), r.failure()?.errorText));
    page.on('response', (r) => console.log('response', r.status(), r.url()));
  }
  page.on('request', (r) => {
    const o = new URL(r.url()).origin;
    if (!r.url().startsWith('data:') && o !== uiOrigin && o !== stack.origin) foreign.push(r.url());
  });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
  await new Promise((r) => ui?.close(r));
});

describe('web UI on its own origin', () => {
  it('signs in against the API on another origin', async () => {
    await signIn(page, uiOrigin, ADMIN.username, ADMIN.password);
    expect(new URL(page.url()).origin).toBe(uiOrigin);
    // the browser kept no cookie for the API (another site, SameSite=Lax): the token in memory did it
    const cookies = await context.cookies(stack.origin);
    expect(cookies.filter((c) => c.name === 'auth_token')).toEqual([]);
    expect(await page.getAttribute('a:text-is("GraphiQL")', 'href')).toBe(`${stack.origin}/graphiql`);
  });

  it('shows a job made elsewhere in the list live', async () => {
    const { createJob } = await gql<{ createJob: { id: string } }>(
      stack.origin,
      'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }',
      { input: { command: 'echo from-elsewhere; sleep 0.5' } },
      stack.adminToken,
    );
    const row = `tr[data-job-id="${createJob.id}"]`;
    await page.waitForSelector(row, { timeout: 15_000 });
    await page.waitForSelector(`${row}[data-status=SUCCEEDED]`, { timeout: 20_000 });
    await screenshot(page, 'cross-origin-jobs');
  });

  it('runs a job from the UI and streams its log live', async () => {
    const { jobId } = await submitJobInUi(page, uiOrigin, 'for i in 1 2 3 4 5; do echo cross-$i; sleep 0.3; done');
    expect(jobId).toBeTruthy();
    await page.waitForSelector('.log-line[data-stream=STDOUT]', { timeout: 20_000 });
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForFunction(() => document.querySelectorAll('.log-line[data-stream=STDOUT]').length === 5);
    const lines = await renderedLogLines(page);
    expect(lines.filter((l) => l.stream === 'STDOUT').map((l) => l.text)).toEqual(['cross-1', 'cross-2', 'cross-3', 'cross-4', 'cross-5']);
    await screenshot(page, 'cross-origin-job');
  });

  it('loads only from the UI host and the API', () => {
    expect(foreign).toEqual([]);
  });

  it('refuses the API to an origin not in ALLOWED_ORIGINS', async () => {
    const res = await fetch(`${stack.origin}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
