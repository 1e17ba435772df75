/**
 * The agent's /metrics (what `--metrics-port` serves), scraped over HTTP while a real agent
 * runs real jobs against a graphql-ws server speaking the contract.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { WorkerAgent } from '../../src/agent/agent';
import { AgentMetrics } from '../../src/agent/agent-metrics';
import { FakeWorkerServer } from '../support/fake-server';
import { parsePrometheusText } from '@cmd-executor/test-support/prometheus-text';

jest.setTimeout(30_000);

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let workDir: string;
let server: FakeWorkerServer;
let agent: WorkerAgent | undefined;
let metricsServer: { port: number; close(): Promise<void> } | undefined;

beforeEach(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-agent-metrics-'));
  server = new FakeWorkerServer();
  await server.start();
});

afterEach(async () => {
  writeFileSync(path.join(workDir, 'gate'), '');
  await agent?.stop();
  await metricsServer?.close();
  await server.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheusText(await res.text());
}

it('reports slots, running jobs, acknowledged log bytes and reconnects', async () => {
  const gate = path.join(workDir, 'gate');
  const metrics = new AgentMetrics({ runningJobs: () => agent?.runningJobs() ?? [], slots: 3 });
  metricsServer = await metrics.listen(0, '127.0.0.1');
  agent = new WorkerAgent({
    server: server.url,
    token: 'good-token',
    name: 'metrics-worker',
    concurrency: 3,
    workDir,
    killGraceSeconds: 1,
    shutdownTimeoutSeconds: 5,
    logger,
    metrics,
    reconnect: { baseMs: 50, maxMs: 200 },
    keepAliveMs: 2_000,
    requestTimeoutMs: 2_000,
  });
  await agent.start();
  await server.waitFor(() => server.subscriberCount === 1);

  let m = await scrape(metricsServer.port);
  expect(m.get('cmd_executor_worker_slots')).toBe(3);
  expect(m.get('cmd_executor_worker_running_jobs')).toBe(0);
  expect(m.get('cmd_executor_worker_reconnects_total')).toBe(0);
  expect(m.get('cmd_executor_worker_log_bytes_sent_total')).toBe(0);

  // two jobs wait on the gate after writing 6 + 4 bytes; one writes "héllo\n" (7 bytes in UTF-8) and ends
  server.assign({ jobId: 'a', command: `printf 'alpha\\n'; while [ ! -e ${gate} ]; do sleep 0.05; done` });
  server.assign({ jobId: 'b', command: `printf 'bet\\n'; while [ ! -e ${gate} ]; do sleep 0.05; done` });
  server.assign({ jobId: 'c', command: "printf 'h\\303\\251llo\\n'" });
  await server.waitFor(() => server.state('c').completed !== undefined && server.text('a') === 'alpha\n' && server.text('b') === 'bet\n', 10_000, 'output');
  // the finished attempt leaves the running set just after it reports
  const port = metricsServer.port;
  await server.waitFor(() => agent!.runningJobs().length === 2, 5_000, 'c to settle');
  m = await scrape(port);
  expect(m.get('cmd_executor_worker_running_jobs')).toBe(2);
  // Counted when the server's acknowledgement reaches the agent, which may be just after the
  // server stored the text (a chunk's flush waits for the next tick of the flush grid).
  for (const deadline = Date.now() + 5_000; m.get('cmd_executor_worker_log_bytes_sent_total') !== 6 + 4 + 7 && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 50));
    m = await scrape(port);
  }
  expect(m.get('cmd_executor_worker_log_bytes_sent_total')).toBe(6 + 4 + 7);

  server.dropConnections();
  await server.waitFor(() => server.registrations.length === 2, 5_000, 're-registration');
  writeFileSync(gate, '');
  await server.waitFor(() => server.state('a').completed !== undefined && server.state('b').completed !== undefined, 10_000, 'completeJob');
  await server.waitFor(() => agent!.runningJobs().length === 0, 5_000, 'a and b to settle');
  m = await scrape(metricsServer.port);
  expect(m.get('cmd_executor_worker_reconnects_total')).toBe(1);
  expect(m.get('cmd_executor_worker_running_jobs')).toBe(0);
  expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
});
