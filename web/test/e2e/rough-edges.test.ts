/**
 * What a new user tripped over, in real Chromium against the real API and worker: a queued
 * job says why it waits, a huge command stays three lines until asked, the top bar fits a
 * phone, the attempt picker says what it shows, RUNNING never wraps, and admins remove
 * OFFLINE workers. Screenshots in test-output/screenshots/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startAgent } from '../../../worker/src/agent/agent';
import { agentLogger } from './support/agent-logger';
import { connectBrowser, screenshot, signIn, waitForJobStatus } from './support/browser';
import { gql } from './support/graphql-http';
import { sharedStack, type SharedStack } from './support/shared-stack';

jest.setTimeout(90_000);

let stack: SharedStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rough-edges-'));
/** The admin's session (its cookie), from one sign-in through the login page in beforeAll. */
let adminSession: Awaited<ReturnType<BrowserContext['storageState']>>;

/** A fresh context, signed in as the admin, on the jobs page. */
async function newPage(width = 1280, height = 1000): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, storageState: adminSession });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.origin}/#/jobs`);
  await page.waitForSelector('h1:text-is("Jobs")');
  return page;
}

async function createJob(input: Record<string, unknown>, token = stack.adminToken): Promise<string> {
  const data = await gql<{ createJob: { id: string } }>(stack.origin, 'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }', { input }, token);
  return data.createJob.id;
}

/** One GraphQL call, errors returned rather than thrown. */
async function raw(query: string, variables: Record<string, unknown>, token: string): Promise<{ data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as never;
}

beforeAll(async () => {
  stack = sharedStack();
  browser = await connectBrowser();
  const context = await browser.newContext();
  contexts.push(context);
  await signIn(await context.newPage(), stack.origin, stack.admin.username, stack.admin.password);
  adminSession = await context.storageState();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('rough edges', () => {
  it('says why a queued job waits, in the list and on its page', async () => {
    const id = await createJob({ command: 'echo never', requirements: ['gpu', 'cuda'] });
    const viaApi = await raw('query ($id: ID!) { job(id: $id) { status waitingReason } }', { id }, stack.adminToken);
    expect(viaApi).toEqual({ data: { job: { status: 'QUEUED', waitingReason: 'no online worker has labels gpu, cuda' } } });
    const page = await newPage();
    const row = `tr[data-job-id="${id}"]`;
    await page.waitForSelector(`${row} [data-testid=waiting-reason]`);
    expect(await page.textContent(`${row} [data-testid=waiting-reason]`)).toBe('no online worker has labels gpu, cuda');
    await screenshot(page, 'jobs-waiting-reason');
    await page.click(`${row} td.command a`);
    await page.waitForSelector('[data-testid=waiting-reason]');
    expect(await page.textContent('[data-testid=waiting-reason]')).toBe('Waiting: no online worker has labels gpu, cuda.');
    await screenshot(page, 'job-waiting-reason');
    await gql(stack.origin, 'mutation ($id: ID!) { cancelJob(id: $id) { id } }', { id }, stack.adminToken);
    // a job some online worker can take says nothing
    await waitForJobStatus(page, ['CANCELED']);
    expect(await page.$('[data-testid=waiting-reason]')).toBeNull();
  });

  it('shows a command run without a shell with its arguments, quoted as a shell would need them', async () => {
    const id = await createJob({ command: 'printf', args: ['%s|', 'two words', "it's"] });
    const page = await newPage();
    const row = `tr[data-job-id="${id}"]`;
    await page.waitForSelector(row);
    const line = `printf '%s|' 'two words' 'it'\\''s'`;
    expect(await page.textContent(`${row} td.command code`)).toBe(line);
    await page.click(`${row} td.command a`);
    await waitForJobStatus(page, ['SUCCEEDED']);
    expect(await page.textContent('[data-testid=command]')).toBe(line);
    await page.waitForSelector('.log-line[data-stream=STDOUT]');
    expect(await page.textContent('.log-line[data-stream=STDOUT]')).toContain("two words|it's|");
    expect(await page.textContent('[data-testid=search-status]')).toBe('1 line');
    await screenshot(page, 'job-command-with-args');
  });

  it('shows a 60 KB command as three lines until "show all", with the log in view', async () => {
    const filler = Array.from({ length: 1580 }, (_, i) => `# filler line ${i} ${'x'.repeat(20)}`).join('\n');
    const command = `echo long-command-ran\n${filler}`;
    expect(command.length).toBeGreaterThan(60_000);
    const id = await createJob({ command });
    const page = await newPage();
    await page.goto(`${stack.origin}/#/jobs/${id}`);
    await waitForJobStatus(page, ['SUCCEEDED']);
    await page.waitForSelector('.log-line[data-stream=STDOUT]');
    const collapsed = await page.$eval('[data-testid=command]', (el) => el.getBoundingClientRect().height);
    const lineHeight = await page.$eval('[data-testid=command]', (el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
    expect(collapsed).toBeLessThanOrEqual(lineHeight * 3 + 2);
    // the log starts within the first screen
    expect(await page.$eval('.log-line', (el) => el.getBoundingClientRect().top)).toBeLessThan(1000);
    await screenshot(page, 'job-long-command');
    await page.click('button.show-all');
    const expanded = await page.$eval('[data-testid=command]', (el) => el.getBoundingClientRect().height);
    expect(expanded).toBeGreaterThan(collapsed * 100);
    await page.click('button.show-all');
    expect(await page.$eval('[data-testid=command]', (el) => el.getBoundingClientRect().height)).toBe(collapsed);
  });

  it('names the attempts in the picker: "attempt 2 of 2 (current)"', async () => {
    const id = await createJob({ command: 'echo "attempt $RANDOM"' });
    const page = await newPage();
    await page.goto(`${stack.origin}/#/jobs/${id}`);
    await waitForJobStatus(page, ['SUCCEEDED']);
    await gql(stack.origin, 'mutation ($id: ID!) { retryJob(id: $id) { id } }', { id }, stack.adminToken);
    await page.waitForSelector('[data-testid=attempt-picker]');
    await waitForJobStatus(page, ['SUCCEEDED']);
    const options = await page.$$eval('[data-testid=attempt-picker] option', (os) => os.map((o) => o.textContent?.trim()));
    expect(options).toEqual(['attempt 2 of 2 (current)', 'attempt 1 of 2 (finished)']);
    await screenshot(page, 'job-attempt-picker');
  });

  it('fits the top bar into 390 px and never wraps the RUNNING badge', async () => {
    const gate = path.join(tmp, 'gate');
    const id = await createJob({ command: `echo running; while [ ! -e ${gate} ]; do sleep 0.05; done` });
    const page = await newPage(390, 844);
    await page.goto(`${stack.origin}/#/jobs`);
    await page.waitForSelector(`tr[data-job-id="${id}"][data-status=RUNNING]`, { timeout: 20_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const bar = await page.$$eval('.topbar > *, .topbar nav a', (els) =>
      els.filter((e) => e.getClientRects().length > 0).map((e) => ({ right: e.getBoundingClientRect().right, left: e.getBoundingClientRect().left })),
    );
    for (const b of bar) {
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.right).toBeLessThanOrEqual(390);
    }
    await screenshot(page, 'jobs-390px');
    await page.goto(`${stack.origin}/#/jobs/${id}`);
    const badge = await page.waitForSelector('.job-head .badge[data-status=RUNNING]');
    const lines = await badge.evaluate((el) => el.getClientRects().length);
    const { height, fontSize } = await badge.evaluate((el) => ({ height: el.getBoundingClientRect().height, fontSize: parseFloat(getComputedStyle(el).fontSize) }));
    expect(lines).toBe(1);
    expect(height).toBeLessThan(fontSize * 2.5);
    await screenshot(page, 'job-390px-running');
    writeFileSync(gate, '');
    await waitForJobStatus(page, ['SUCCEEDED']);
  });

  it('lets an admin remove an OFFLINE worker (and refuses an online one, and non-admins)', async () => {
    const { createWorkerToken } = await gql<{ createWorkerToken: { token: string } }>(
      stack.origin,
      'mutation { createWorkerToken(name: "short-lived", labels: ["tmp"]) { token } }',
      {},
      stack.adminToken,
    );
    const agent = await startAgent({ server: stack.origin, token: createWorkerToken.token, name: 'short-lived', labels: ['tmp'], workDir: path.join(tmp, 'w'), shutdownTimeoutSeconds: 2, logger: agentLogger() });
    const workerId = agent.workerId!;
    const online = await raw('mutation ($id: ID!) { removeWorker(id: $id) }', { id: workerId }, stack.adminToken);
    expect(online.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await agent.stop();

    const page = await newPage();
    await page.goto(`${stack.origin}/#/workers`);
    const row = page.locator('tr[data-worker="short-lived"]');
    await row.locator('[data-status=OFFLINE]').waitFor({ timeout: 15_000 });
    const asUser = await raw('mutation ($id: ID!) { removeWorker(id: $id) }', { id: workerId }, stack.users.alice.token);
    expect(asUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await screenshot(page, 'workers-offline-remove');
    await row.locator('button', { hasText: 'Remove' }).first().click();
    await page.click('dialog[open] button:text-is("Remove")');
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    const { workers } = await gql<{ workers: { id: string }[] }>(stack.origin, '{ workers { id } }', {}, stack.adminToken);
    expect(workers.map((w) => w.id)).not.toContain(workerId);
    const again = await raw('mutation ($id: ID!) { removeWorker(id: $id) }', { id: workerId }, stack.adminToken);
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await screenshot(page, 'workers-after-remove');
  });
});
