/**
 * Coalesced log delivery through the real path: a real agent runs a job that prints fast, a
 * live `jobLogs` subscriber over graphql-ws gets several chunks per event (the agent's batches
 * and whatever piled up while its socket was busy), in seq order with no gap or duplicate; a
 * subscriber that joins after the job ended gets the stored rest in as few events.
 */
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { agentCliBuilt, startAgentProcess, type AgentProcess } from '@cmd-executor/test-support/agent-process';
import { eventually } from '@cmd-executor/test-support/eventually';
import { collect, wsClient } from '@cmd-executor/test-support/graphql-client';
import { createJob, getJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

jest.setTimeout(60_000);

const LINES = 200_000; // ~1.3 MB: about twenty 64 KiB chunks
const LOGS_SUB = 'subscription($id: ID!, $after: Int) { jobLogs(jobId: $id, afterSeq: $after) { jobId chunks { attempt seq stream data } } }';
type LogEvent = { jobLogs: { jobId: string; chunks: Array<{ attempt: number; seq: number; stream: string; data: string }> } };

let t: DispatchApi;
let agent: AgentProcess;
const clients: Array<{ dispose(): unknown }> = [];
const gate = path.join(os.tmpdir(), `log-batches-gate-${process.pid}-${Date.now()}`);

beforeAll(async () => {
  if (!agentCliBuilt()) throw new Error('build the worker first (npm run build -w worker)');
  // Leases a loaded machine never lets lapse (a real agent heartbeats every whole second).
  t = await startDispatchApi({ lease: { leaseMs: 5000, heartbeatMs: 1000 } });
  agent = startAgentProcess({ server: t.url, token: (await createWorkerToken(t, 'batcher')).token, name: 'batcher' });
});
afterAll(async () => {
  rmSync(gate, { force: true });
  await Promise.all(clients.map((c) => c.dispose()));
  await agent?.stop();
  await t?.close();
});

function subscriber() {
  const c = wsClient(t.wsUrl, { authToken: t.adminToken });
  clients.push(c);
  return c;
}

it('a job that prints fast reaches a live subscriber as events of several chunks, in order, with no gap or duplicate', async () => {
  // The job waits for the gate, so the subscriber is live before the first byte.
  const job = await createJob(t, { command: `while [ ! -e ${gate} ]; do sleep 0.05; done; seq 1 ${LINES}` });
  await eventually(async () => ((await getJob(t, job.id)).status === 'RUNNING' ? true : undefined), 20_000, 'the job to run');
  const live = collect<LogEvent>(subscriber(), LOGS_SUB, { id: job.id });
  await new Promise((r) => setTimeout(r, 500));
  expect(live.events).toEqual([]);
  writeFileSync(gate, '');
  await live.until(() => live.done, 40_000);

  expect(live.errors).toEqual([]);
  const expected = Array.from({ length: LINES }, (_, i) => `${i + 1}\n`).join('');
  const chunks = live.events.flatMap((e) => e.jobLogs.chunks);
  expect(chunks.map((c) => c.data).join('')).toBe(expected);
  expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1));
  expect(chunks.every((c) => c.attempt === 1 && c.stream === 'STDOUT')).toBe(true);
  expect(live.events.every((e) => e.jobLogs.jobId === job.id && e.jobLogs.chunks.length > 0)).toBe(true);
  // Coalesced: fewer events than chunks, and some event carries several.
  expect(chunks.length).toBeGreaterThan(10);
  expect(live.events.length).toBeLessThan(chunks.length);
  expect(Math.max(...live.events.map((e) => e.jobLogs.chunks.length))).toBeGreaterThan(1);

  // Joining after the end from a seq in the middle: the stored rest, from there on, in one event.
  const later = collect<LogEvent>(subscriber(), LOGS_SUB, { id: job.id, after: 5 });
  await later.until(() => later.done, 10_000);
  expect(later.errors).toEqual([]);
  expect(later.events).toHaveLength(1);
  expect(later.events[0]!.jobLogs.chunks.map((c) => c.seq)).toEqual(chunks.slice(5).map((c) => c.seq));
  expect(later.events[0]!.jobLogs.chunks.map((c) => c.data).join('')).toBe(chunks.slice(5).map((c) => c.data).join(''));
});
