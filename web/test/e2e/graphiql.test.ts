/**
 * GraphiQL as the API serves it, in real Chromium with every request to another host
 * refused: the editor loads, a query and a subscription (jobLogs, live) run with the session
 * cookie of the web UI, and the schema docs open. Screenshots in test-output/screenshots/.
 */
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectBrowser, screenshot, signIn } from './support/browser';
import { gql } from './support/graphql-http';
import { sharedStack, type SharedStack } from './support/shared-stack';

jest.setTimeout(90_000);

let stack: SharedStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const refused: string[] = [];

beforeAll(async () => {
  stack = sharedStack();
  browser = await connectBrowser();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Only the API's own host may be reached: a CDN script, font or worker would be refused here.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === stack.origin) return route.continue();
    refused.push(url);
    return route.abort('blockedbyclient');
  });
  page = await context.newPage();
  await signIn(page, stack.origin, stack.admin.username, stack.admin.password);
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
});

/** The text Monaco shows in the response pane (it renders spaces as nbsp). */
async function responseText(): Promise<string> {
  const text = await page.textContent('.graphiql-response');
  return (text ?? '').replace(/\u00a0/g, ' ');
}

async function waitForResponse(fragment: string, timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    (f) => (document.querySelector('.graphiql-response')?.textContent ?? '').replace(/\u00a0/g, ' ').includes(f),
    fragment,
    { timeout },
  );
  return responseText();
}

async function waitForEditor(): Promise<void> {
  await page.waitForSelector('.graphiql-container .graphiql-query-editor .monaco-editor .view-lines', { timeout: 30_000 });
  await page.waitForSelector('.graphiql-execute-button:not([disabled])');
}

describe('GraphiQL, self-hosted', () => {
  it('opens at /graphql in a browser and runs a query as the signed-in user', async () => {
    await page.goto(`${stack.origin}/graphql`);
    await waitForEditor();
    expect(await page.title()).toMatch(/GraphiQL/);
    await page.click('.graphiql-execute-button');
    const text = await waitForResponse('"username": "admin"');
    expect(text).toContain('"role": "ADMIN"');
    await screenshot(page, 'graphiql-query');
  });

  it('streams a job log live through a subscription over graphql-ws', async () => {
    const gate = path.join(os.tmpdir(), `graphiql-gate-${process.pid}-${Date.now()}`);
    const { createJob } = await gql<{ createJob: { id: string } }>(
      stack.origin,
      'mutation ($input: CreateJobInput!) { createJob(input: $input) { id } }',
      { input: { command: `echo first-line; while [ ! -e ${gate} ]; do sleep 0.05; done; echo later-line` } },
      stack.adminToken,
    );
    const query = `subscription Tail {\n  jobLogs(jobId: "${createJob.id}") {\n    chunks {\n      seq\n      stream\n      data\n    }\n  }\n}\n`;
    await page.goto(`${stack.origin}/graphiql?query=${encodeURIComponent(query)}`);
    await waitForEditor();
    await page.click('.graphiql-execute-button');
    await waitForResponse('first-line');
    expect(await responseText()).not.toContain('later-line');
    // the job writes its second line only now, while the subscription is open: it arrives live
    writeFileSync(gate, '');
    try {
      await waitForResponse('later-line');
    } finally {
      rmSync(gate, { force: true });
    }
    await screenshot(page, 'graphiql-subscription');
  });

  it('shows the schema docs', async () => {
    await page.click('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer');
    await page.click('.graphiql-doc-explorer a:text-is("Query")');
    await page.waitForSelector('.graphiql-doc-explorer :text("jobs")');
    await screenshot(page, 'graphiql-docs');
  });

  it('loaded nothing from another host', () => {
    expect(refused).toEqual([]);
  });

  it('leaves GraphQL clients alone at /graphql', async () => {
    const response = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
