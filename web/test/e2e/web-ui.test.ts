/**
 * The web UI in real Chromium against the real API (serving web/dist) and a real worker.
 * Screenshots of every page go to test-output/screenshots/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  jobStatus,
  connectBrowser,
  recordForeignRequests,
  renderedLogLines,
  screenshot,
  signIn,
  submitJobInUi,
  waitForJobStatus,
} from './support/browser';
import { eventually } from '@cmd-executor/test-support/eventually';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { startAgent } from '@cmd-executor/worker';
import { agentLogger } from './support/agent-logger';
import { ADMIN, startStack, type Stack } from './support/stack';

jest.setTimeout(60_000);

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const foreignRequests: string[] = [];

async function newPage(options: { colorScheme?: 'light' | 'dark'; height?: number } = {}): Promise<Page> {
  const context = await browser.newContext({
    // tall enough that a 100-line log is rendered whole by the virtual list
    viewport: { width: 1280, height: options.height ?? 2200 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  contexts.push(context);
  const page = await context.newPage();
  recordForeignRequests(page, stack.origin, foreignRequests);
  return page;
}

async function createJobOverHttp(token: string, command: string): Promise<string> {
  const data = ok(await gql<{ createJob: { id: string } }>(stack.test.url, 'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }',
    { input: { command } }, { token }));
  return data.createJob.id;
}

async function jobOverHttp(token: string, id: string): Promise<{ status: string } | null> {
  const data = ok(await gql<{ job: { status: string } | null }>(stack.test.url, 'query ($id: ID!) { job(id: $id) { status } }', { id }, { token }));
  return data.job;
}

async function waitForHttpStatus(token: string, id: string, statuses: string[], timeoutMs = 20_000): Promise<string> {
  let status = 'missing';
  return eventually(
    async () => {
      status = (await jobOverHttp(token, id))?.status ?? 'missing';
      return statuses.includes(status) ? status : undefined;
    },
    timeoutMs,
    () => `job ${id} to be ${statuses.join('|')} (it is ${status})`,
    100,
  );
}

// a small log cap, so one test can cross it quickly
const LOG_MAX_BYTES = 256 * 1024;

beforeAll(async () => {
  stack = await startStack({ logMaxBytes: LOG_MAX_BYTES });
  browser = await connectBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

describe('signing in', () => {
  it('says so on bad credentials, then signs in with the keyboard alone', async () => {
    const page = await newPage({ height: 800 });
    await page.goto(`${stack.origin}/`);
    await page.waitForSelector('#login-username');
    // autofocus puts the cursor in the username field: type, Tab, type, Enter
    await page.keyboard.type(stack.users.alice.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await expect(page.textContent('[data-testid=login-error]')).resolves.toContain('Wrong username or password');
    await screenshot(page, 'login-error');

    await page.fill('#login-password', stack.users.alice.password);
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:text-is("Jobs")');
    // the first Tab stop is the skip link, then the main navigation
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Jobs');
  });

  it('sends an expired session back to login, then back to where the user was', async () => {
    const page = await newPage({ height: 800 });
    await signIn(page, stack.origin, stack.users.alice.username, stack.users.alice.password);
    const context = page.context();
    const url = new URL(stack.origin);
    // the server no longer accepts the session (as after expiry)
    await context.clearCookies();
    await context.addCookies([{ name: 'auth_token', value: 'expired.jwt.value', domain: url.hostname, path: '/', httpOnly: true }]);
    await page.goto(`${stack.origin}/#/workers`);
    await page.waitForSelector('#login-username');
    expect(page.url()).toContain('next=%2Fworkers');
    await expect(page.textContent('.login-form')).resolves.toContain('session has expired');
    await screenshot(page, 'login-expired');
    await page.fill('#login-username', stack.users.alice.username);
    await page.fill('#login-password', stack.users.alice.password);
    await page.click('form button[type=submit]');
    await page.waitForSelector('h1:text-is("Workers")');
    expect(page.url()).toMatch(/#\/workers$/);
  });
});

describe('jobs', () => {
  let page: Page;
  beforeAll(async () => {
    page = await newPage();
    await signIn(page, stack.origin, stack.users.alice.username, stack.users.alice.password);
  });

  it('streams log lines into the job page before the job ends (and measures submit → first line)', async () => {
    const command = 'for i in $(seq 1 50); do echo line $i; sleep 0.05; done';
    // the moment the first row enters the DOM, stamped in the page (Playwright's own waiting
    // polls, which would add up to half a second to the measurement)
    await page.evaluate(() => {
      const w = window as unknown as { firstLineAt?: number };
      const observer = new MutationObserver(() => {
        if (document.querySelector('.log-line[data-stream=STDOUT]')) {
          w.firstLineAt = Date.now();
          observer.disconnect();
        }
      });
      observer.observe(document.body, { subtree: true, childList: true });
    });
    const { jobId, submittedAt } = await submitJobInUi(page, stack.origin, command);
    const onJobPageMs = Date.now() - submittedAt;
    await page.waitForSelector('.log-line[data-stream=STDOUT]', { timeout: 20_000 });
    const firstLineMs = (await page.evaluate(() => (window as unknown as { firstLineAt: number }).firstLineAt)) - submittedAt;
    const statusAtFirstLine = await jobStatus(page);
    const linesAtFirst = (await renderedLogLines(page)).filter((l) => l.stream === 'STDOUT').length;
    const timing = ok(await gql<{ job: { queuedAt: string; startedAt: string; logs: { at: string }[] } }>(stack.test.url, 'query ($id: ID!) { job(id: $id) { queuedAt startedAt logs(limit: 1) { at } } }',
      { id: jobId }, { token: stack.users.alice.token }));
    console.log(
      `time from submit to the first log line in the browser: ${firstLineMs} ms ` +
        `(job page shown after ${onJobPageMs} ms; API queued → started ${Date.parse(timing.job.startedAt) - Date.parse(timing.job.queuedAt)} ms, ` +
        `first output byte at +${Date.parse(timing.job.logs[0]!.at) - Date.parse(timing.job.queuedAt)} ms)`,
    );
    await screenshot(page, 'job-running');

    expect(['ASSIGNED', 'RUNNING']).toContain(statusAtFirstLine);
    expect(linesAtFirst).toBeLessThan(50);

    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForFunction(() => document.querySelectorAll('.log-line[data-stream=STDOUT]').length >= 50);
    const lines = (await renderedLogLines(page)).filter((l) => l.stream === 'STDOUT');
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
    await expect(page.textContent('[data-testid=exit]')).resolves.toBe('0');
    await screenshot(page, 'job-succeeded');
  });

  it('renders ANSI colours (red is red) and tells stderr apart', async () => {
    await submitJobInUi(
      page,
      stack.origin,
      "printf '\\033[31mred\\033[0m\\n'; printf '\\033[32mgreen one\\ngreen two\\033[0m\\nplain\\n'; echo oops >&2",
    );
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForSelector('.log-line[data-stream=STDERR]');
    const color = await page.$eval('.log-line[data-stream=STDOUT] .log-text span', (el) => ({
      text: el.textContent,
      color: getComputedStyle(el).color,
    }));
    expect(color.text).toBe('red');
    const [r, g, b] = color.color.match(/\d+/g)!.map(Number) as [number, number, number];
    expect(r).toBeGreaterThan(150);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
    // a colour set on one line stays on the next until reset, as in a terminal
    await page.waitForFunction(() => [...document.querySelectorAll('.log-text')].some((el) => el.textContent === 'plain'));
    const colours = await page.$$eval('.log-line[data-stream=STDOUT] .log-text', (els) =>
      Object.fromEntries(els.map((el) => [el.textContent, el.querySelector('span') ? getComputedStyle(el.querySelector('span')!).color : 'none'])),
    );
    const rgb = (c: string) => c.match(/\d+/g)!.map(Number) as [number, number, number];
    const [gr, gg, gb] = rgb(colours['green two']!);
    expect(gg).toBeGreaterThan(gr + 80);
    expect(gg).toBeGreaterThan(gb + 80);
    expect(colours['plain']).toBe('none');
    const stdoutColor = await page.$eval('.log-line[data-stream=STDOUT] .log-text', (el) => getComputedStyle(el).color);
    const stderrColor = await page.$eval('.log-line[data-stream=STDERR] .log-text', (el) => getComputedStyle(el).color);
    expect(stderrColor).not.toBe(stdoutColor);
  });

  it('cancels a running job after confirmation', async () => {
    const { jobId } = await submitJobInUi(page, stack.origin, 'echo started; sleep 300');
    await waitForJobStatus(page, ['RUNNING']);
    await page.click('.job-head button:text-is("Cancel")');
    await page.waitForSelector('dialog[open]');
    await screenshot(page, 'job-cancel-confirm');
    await page.click('dialog[open] button:text-is("Cancel job")');
    await waitForJobStatus(page, ['CANCELED'], 30_000);
    await expect(waitForHttpStatus(stack.users.alice.token, jobId, ['CANCELED'])).resolves.toBe('CANCELED');
  });

  it('resumes from the stored log after a reload mid-stream: every line exactly once', async () => {
    await submitJobInUi(page, stack.origin, 'for i in $(seq 1 80); do echo tick $i; sleep 0.06; done');
    await page.waitForFunction(() => document.querySelectorAll('.log-line[data-stream=STDOUT]').length >= 5, null, { timeout: 20_000 });
    expect(await jobStatus(page)).toBe('RUNNING');
    await page.reload();
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForFunction(() => document.querySelectorAll('.log-line[data-stream=STDOUT]').length >= 80);
    await page.waitForTimeout(300); // a duplicate would arrive late, if at all
    const lines = (await renderedLogLines(page)).filter((l) => l.stream === 'STDOUT');
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 80 }, (_, i) => `tick ${i + 1}`));
    expect(new Set(lines.map((l) => l.n)).size).toBe(80);
  });

  it('says visibly when the log was truncated, and styles the SYSTEM line apart', async () => {
    // ~590 KB of output against a 256 KiB cap
    await submitJobInUi(page, stack.origin, 'seq 1 100000');
    await waitForJobStatus(page, ['SUCCEEDED', 'FAILED'], 30_000);
    await page.waitForSelector('[data-testid=truncated]', { timeout: 20_000 });
    // the platform's line is in the log (search sees every line, not only the rendered ones)
    await page.fill('#log-search', 'log truncated');
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.textContent === '1 match', null, { timeout: 20_000 });
    await page.press('#log-search', 'Enter');
    const system = await page.waitForSelector('.log-current[data-stream=SYSTEM]');
    await expect(system.textContent()).resolves.toMatch(/truncated/i);
    const style = (el: Element) => `${getComputedStyle(el).color} ${getComputedStyle(el).fontStyle}`;
    const [systemStyle, stdoutStyle] = await Promise.all([
      page.$eval('.log-current .log-text', style),
      page.$eval('.log-line[data-stream=STDOUT] .log-text', style),
    ]);
    expect(systemStyle).not.toBe(stdoutStyle);
    await screenshot(page, 'job-truncated');
  });

  it('submits env vars; a secret one is never shown (header or log)', async () => {
    const secret = 'sup3r-s3cret-value-e2e';
    await page.goto(`${stack.origin}/#/jobs`);
    if (!(await page.$('textarea[name=command]'))) await page.click('button:text-is("New job")');
    await page.fill('textarea[name=command]', 'echo "plain=$PLAIN token=$TOKEN"');
    await page.click('button:text-is("Add variable")');
    await page.click('button:text-is("Add variable")');
    const rows = await page.$$('.env-row');
    await (await rows[0]!.$('input[placeholder=NAME]'))!.fill('PLAIN');
    await (await rows[0]!.$('input[placeholder=value]'))!.fill('visible-value');
    await (await rows[1]!.$('input[placeholder=NAME]'))!.fill('TOKEN');
    await (await rows[1]!.$('input[type=checkbox]'))!.check();
    await (await rows[1]!.$('input[placeholder=value]'))!.fill(secret);
    await expect((await rows[1]!.$('input[placeholder=value]'))!.getAttribute('type')).resolves.toBe('password');
    await screenshot(page, 'jobs-submit-form');
    await page.click('form.submit-form button[type=submit]');
    await page.waitForURL(/#\/jobs\/[^/?]+$/);
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForSelector('.log-line[data-stream=STDOUT]');
    const text = (await page.textContent('main'))!;
    expect(text).toContain('PLAIN=visible-value');
    expect(text).toContain('TOKEN=••••');
    expect(text).toContain('plain=visible-value');
    expect(text).not.toContain(secret);
  });

  it('retries a finished job after confirmation and shows the new attempt', async () => {
    await submitJobInUi(page, stack.origin, 'echo "run at $(date +%s%N)"');
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.click('.job-head button:text-is("Retry")');
    await page.click('dialog[open] button:text-is("Retry job")');
    await page.waitForFunction(() => document.querySelector('[data-testid=attempt]')?.textContent?.startsWith('2 '));
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForSelector('.log-line[data-stream=STDOUT]');
    const lines = (await renderedLogLines(page)).filter((l) => l.stream === 'STDOUT');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text).toMatch(/^run at \d+$/);
  });

  it('follows a retry made elsewhere into the next attempt, below the first', async () => {
    const { jobId } = await submitJobInUi(page, stack.origin, 'echo "attempt output $(date +%s%N)"');
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForSelector('.log-line[data-stream=STDOUT]');
    // the log subscription has ended with the job; the retry comes from another client
    ok(await gql(stack.test.url, 'mutation ($id: ID!) { retryJob(id: $id) { id } }', { id: jobId }, { token: stack.users.alice.token }));
    await page.waitForFunction(() => document.querySelector('[data-testid=attempt]')?.textContent?.startsWith('2 '));
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForFunction(() => document.querySelectorAll('.log-line[data-stream=STDOUT]').length === 2, null, { timeout: 10_000 });
    const numbers = await page.$$eval('.log-line[data-stream=STDOUT] .log-ln', (els) => els.map((e) => e.textContent));
    expect(numbers).toEqual(['1:1', '2:1']);
    await screenshot(page, 'job-two-attempts');
  });

  it('times a job out (timeout from the form)', async () => {
    await page.goto(`${stack.origin}/#/jobs`);
    if (!(await page.$('textarea[name=command]'))) await page.click('button:text-is("New job")');
    await page.fill('textarea[name=command]', 'sleep 30');
    await page.fill('input[name=timeoutSeconds]', '1');
    await page.click('form.submit-form button[type=submit]');
    await page.waitForURL(/#\/jobs\/[^/?]+$/);
    await waitForJobStatus(page, ['TIMED_OUT'], 30_000);
  });

  it('downloads the full log as a file', async () => {
    await submitJobInUi(page, stack.origin, 'for i in $(seq 1 2000); do echo "download line $i"; done; echo to-stderr >&2');
    await waitForJobStatus(page, ['SUCCEEDED']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:text-is("Download log")')]);
    // the browser is the shared one, connected remotely: the file is copied here (download.path() is for local browsers)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-web-download-'));
    let content: string;
    try {
      const file = path.join(dir, 'download.log');
      await download.saveAs(file);
      content = readFileSync(file, 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const expected = Array.from({ length: 2000 }, (_, i) => `download line ${i + 1}`);
    expect(content.split('\n').filter((l) => l.startsWith('download line'))).toEqual(expected);
    expect(content).toContain('to-stderr');
    expect(download.suggestedFilename()).toMatch(/^job-.+\.log$/);
  });

  it('lists jobs newest first and updates live (new job, status change) without a reload', async () => {
    await page.goto(`${stack.origin}/#/jobs`);
    await page.waitForSelector('tr[data-job-id]');
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'no reload'));
    const id = await createJobOverHttp(stack.users.alice.token, 'echo live-list; sleep 1');
    const row = `tr[data-job-id="${id}"]`;
    await page.waitForSelector(row, { timeout: 10_000 });
    expect(await page.getAttribute('tbody tr:first-child', 'data-job-id')).toBe(id);
    await page.waitForSelector(`${row}[data-status=SUCCEEDED]`, { timeout: 20_000 });
    await expect(page.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe('no reload');
    await expect(page.textContent(`${row} td:nth-child(4)`)).resolves.toBe('e2e-web-worker');
    await screenshot(page, 'jobs-list');

    await page.selectOption('#status-filter', 'CANCELED');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('tr[data-job-id]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-status') === 'CANCELED');
    });
    await page.selectOption('#status-filter', '');
  });

  it('shows BAD_USER_INPUT errors beside the field', async () => {
    await page.goto(`${stack.origin}/#/jobs`);
    await page.click('button:text-is("New job")');
    await page.fill('textarea[name=command]', 'echo never');
    await page.fill('input[name=priority]', '1000');
    await page.click('form.submit-form button[type=submit]');
    const error = await page.waitForSelector('[data-field-error=priority]');
    expect((await error.textContent())?.length).toBeGreaterThan(0);
    await expect(page.getAttribute('input[name=priority]', 'aria-invalid')).resolves.toBe('true');
    expect(page.url()).toMatch(/#\/jobs(\?.*)?$/);

    // an env var error lands on its row (a blank row before it is not sent: the server's
    // env[0] is the second row on screen)
    await page.fill('input[name=priority]', '0');
    await page.click('button:text-is("Add variable")');
    await page.click('button:text-is("Add variable")');
    const row = (await page.$$('.env-row'))[1]!;
    await (await row.$('input[placeholder=NAME]'))!.fill('not a valid name!');
    await (await row.$('input[placeholder=value]'))!.fill('x');
    await page.click('form.submit-form button[type=submit]');
    await row.waitForSelector('[data-field-error^="env."]');
    expect(await page.$$('.env-row [data-field-error]')).toHaveLength(1);
    await expect(page.$('[data-field-error=priority]')).resolves.toBeNull();
    await screenshot(page, 'jobs-submit-field-error');
  });

  it('follows the system colour scheme (dark)', async () => {
    const dark = await newPage({ colorScheme: 'dark', height: 900 });
    await signIn(dark, stack.origin, stack.users.alice.username, stack.users.alice.password);
    const bg = await dark.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number) as [number, number, number];
    expect(r + g + b).toBeLessThan(120);
    await screenshot(dark, 'jobs-list-dark');
  });
});

describe('isolation', () => {
  it("a user does not see another user's jobs, in the list, by URL or live", async () => {
    const aliceJob = await createJobOverHttp(stack.users.alice.token, 'echo only-for-alice');
    const page = await newPage({ height: 900 });
    await signIn(page, stack.origin, stack.users.bob.username, stack.users.bob.password);
    const liveJob = await createJobOverHttp(stack.users.alice.token, 'echo alice-while-bob-watches; sleep 0.5');
    const bobJob = await createJobOverHttp(stack.users.bob.token, 'echo bob-job');
    await page.waitForSelector(`tr[data-job-id="${bobJob}"]`, { timeout: 10_000 });
    await waitForHttpStatus(stack.users.alice.token, liveJob, ['SUCCEEDED']);
    await page.waitForTimeout(300);
    const ids = await page.$$eval('tr[data-job-id]', (rows) => rows.map((r) => r.getAttribute('data-job-id')));
    expect(ids).toContain(bobJob);
    expect(ids).not.toContain(aliceJob);
    expect(ids).not.toContain(liveJob);

    await page.goto(`${stack.origin}/#/jobs/${aliceJob}`);
    await page.waitForSelector('main p, main .error');
    await expect(page.$('.log-panel')).resolves.toBeNull();
    expect(await page.textContent('main')).not.toContain('only-for-alice');
  });
});

describe('pagination', () => {
  it('pages through the list with Older / Newer', async () => {
    for (let i = 0; i < 22; i++) await createJobOverHttp(stack.users.bob.token, `echo page-job-${i}`);
    const page = await newPage({ height: 1400 });
    await signIn(page, stack.origin, stack.users.bob.username, stack.users.bob.password);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-job-id]').length === 20);
    const first = await page.$$eval('tr[data-job-id]', (rows) => rows.map((r) => r.getAttribute('data-job-id')));
    await page.click('button:has-text("Older")');
    await page.waitForFunction((ids) => {
      const rows = [...document.querySelectorAll('tr[data-job-id]')].map((r) => r.getAttribute('data-job-id'));
      return rows.length > 0 && rows.every((id) => !ids.includes(id));
    }, first);
    const second = await page.$$eval('tr[data-job-id]', (rows) => rows.map((r) => r.getAttribute('data-job-id')));
    // 22 here + 1 from the isolation test
    expect(second.length).toBe(3);
    await expect(page.isDisabled('button:has-text("Older")')).resolves.toBe(true);
    await page.click('button:has-text("Newer")');
    await page.waitForFunction((id) => document.querySelector('tr[data-job-id]')?.getAttribute('data-job-id') === id, first[0]);
  });
});

describe('workers', () => {
  it('shows a new worker live, without a reload', async () => {
    const page = await newPage({ height: 900 });
    await signIn(page, stack.origin, ADMIN.username, ADMIN.password);
    await page.goto(`${stack.origin}/#/workers`);
    await page.waitForSelector('tr[data-worker="e2e-web-worker"]');
    const { createWorkerToken } = ok(await gql<{ createWorkerToken: { token: string } }>(stack.test.url, 'mutation { createWorkerToken(name: "late-worker", labels: ["late"]) { token } }',
      {}, { token: stack.adminToken }));
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-web-late-'));
    const agent = await startAgent({ server: stack.origin, token: createWorkerToken.token, name: 'late-worker', labels: ['late'], workDir, concurrency: 2, logger: agentLogger() });
    try {
      await page.waitForSelector('tr[data-worker="late-worker"][data-status=ONLINE]', { timeout: 10_000 });
      expect(await page.textContent('tr[data-worker="late-worker"]')).toContain('0/2');
    } finally {
      await agent.stop();
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it('shows workers live; admins create a token (shown once, with the agent command) and drain', async () => {
    const page = await newPage({ height: 900 });
    await signIn(page, stack.origin, ADMIN.username, ADMIN.password);
    await page.goto(`${stack.origin}/#/workers`);
    const row = 'tr[data-worker="e2e-web-worker"]';
    await page.waitForSelector(`${row}[data-status=ONLINE]`);
    expect(await page.textContent(row)).toContain('linux');

    await page.fill('input[id$="-name"]', 'ui-made-worker');
    await page.fill('input[id$="-labels"]', 'gpu, linux');
    await page.click('button:text-is("Create token")');
    const issued = await page.waitForSelector('[data-testid=issued-token]');
    const values = await issued.$$eval('input', (inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    const [token, commandLine] = values as [string, string];
    expect(token.length).toBeGreaterThan(20);
    // installs from this API (not a registry), with the token in the environment, not in argv
    expect(commandLine).toBe(`curl -fsSLO ${stack.origin}/downloads/cmd-executor-worker.js && CMD_EXECUTOR_WORKER_TOKEN=${token} node cmd-executor-worker.js --server ${stack.origin}`);
    await screenshot(page, 'workers-token');

    await page.click(`${row} button:has-text("Drain")`);
    await page.click('dialog[open] button:text-is("Drain")');
    await page.waitForSelector(`${row}[data-status=DRAINING]`, { timeout: 10_000 });
    await screenshot(page, 'workers');
  });

  it('made no request to any host but the API', () => {
    expect(foreignRequests).toEqual([]);
  });
});
