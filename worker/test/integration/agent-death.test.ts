/**
 * A job's processes never outlive its agent. A real agent process (the CLI) runs jobs in the
 * `none` and `namespace` sandboxes, each starting children and grandchildren; the agent is
 * then killed with SIGKILL, which no handler of its own can see. Within a second nothing of
 * any of its jobs may be left: the server gives the attempt to another worker at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeWorkerServer } from '../support/fake-server';
import { parentOf, processesWith, waitUntil } from '../support/processes';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');
let server: FakeWorkerServer;
let workDir: string;
let agent: ChildProcess | undefined;

function startAgent(extra: string[] = []): ChildProcess {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'worker/test/support/run-ts.js'), path.join(ROOT, 'worker/src/cli.ts'), '--server', server.url, '--work-dir', workDir, '--concurrency', '4', '--log-level', process.env.CMDX_TEST_AGENT_LOG ?? 'warn', ...extra],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), CMD_EXECUTOR_WORKER_TOKEN: 'good-token' }, stdio: ['ignore', process.env.CMDX_TEST_AGENT_LOG ? 'inherit' : 'ignore', 'inherit'] },
  );
  return child;
}

beforeEach(async () => {
  server = new FakeWorkerServer();
  await server.start();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-agent-death-'));
  chmodSync(workDir, 0o755); // a root agent's namespace jobs run as uids of their own
});

afterEach(async () => {
  if (agent?.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
  await server.close();
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * A job whose processes all carry `marker` (a sleep length no other process uses): a child,
 * a grandchild in a subshell, and one started by a shell that already exited (an orphan);
 * with the shells that carry the marker in their command line, at least five processes.
 */
function treeCommand(marker: string): string {
  return `sleep ${marker} & (sleep ${marker} & wait) & sh -c 'sleep ${marker} &' ; sleep ${marker}`;
}

async function killAgentAndMeasure(markers: string[]): Promise<number> {
  const exited = new Promise((r) => agent!.once('exit', r));
  const killedAt = Date.now();
  agent!.kill('SIGKILL');
  await exited;
  await waitUntil(() => markers.every((m) => processesWith(m).length === 0), 5_000, 'job processes gone');
  return Date.now() - killedAt;
}

// auto: the spawn helper forked the jobs (it and the guardian both end them); off: the agent
// forked them itself, and the guardian alone ends them
it.each([
  ['auto', 1],
  ['off', 4],
])('kill -9 of the agent: no process of its none-sandbox jobs is left within 1 s (--spawn-helper %s)', async (mode, n) => {
  agent = startAgent(['--sandbox', 'none', '--spawn-helper', String(mode)]);
  await server.waitFor(() => server.subscriberCount > 0, 30_000, 'agent subscribed');
  const helpers = processesWith('cmd-executor-spawn-helper').filter((pid) => parentOf(pid) === agent!.pid);
  expect(helpers).toHaveLength(mode === 'auto' ? 1 : 0);
  const markers = [0, 1, 2].map((i) => `${300 + i}.${process.pid % 10_000}${n}`);
  markers.forEach((m, i) => server.assign({ jobId: `death-none-${mode}-${i}`, command: treeCommand(m) }));
  await waitUntil(() => markers.every((m) => processesWith(m).length >= 5), 15_000, 'every job started its tree');

  const ms = await killAgentAndMeasure(markers);
  console.log(`none sandbox, spawn helper ${mode}: job processes gone ${ms} ms after kill -9 of the agent`);
  expect(ms).toBeLessThan(1_000);
  await waitUntil(() => helpers.every((pid) => processesWith('cmd-executor-spawn-helper').every((p) => p !== pid)), 2_000, 'helper gone');
});

it('kill -9 of the agent: no process of its namespace-sandbox jobs is left within 1 s', async () => {
  agent = startAgent(['--sandbox', 'namespace']);
  await server.waitFor(() => server.subscriberCount > 0, 30_000, 'agent subscribed');
  const markers = [0, 1].map((i) => `${310 + i}.${process.pid % 10_000}2`);
  markers.forEach((m, i) => server.assign({ jobId: `death-ns-${i}`, command: treeCommand(m) }));
  await waitUntil(() => markers.every((m) => processesWith(m).length >= 5), 15_000, 'every job started its tree');

  const ms = await killAgentAndMeasure(markers);
  console.log(`namespace sandbox: job processes gone ${ms} ms after kill -9 of the agent`);
  expect(ms).toBeLessThan(1_000);
});

it('the guardian is restarted if it is killed, and still covers the running jobs', async () => {
  agent = startAgent(['--sandbox', 'none']);
  await server.waitFor(() => server.subscriberCount > 0, 30_000, 'agent subscribed');
  const marker = `320.${process.pid % 10_000}3`;
  server.assign({ jobId: 'death-guardian', command: treeCommand(marker) });
  await waitUntil(() => processesWith(marker).length >= 5, 15_000, 'the job started its tree');
  const guardians = () => processesWith('cmd-executor-guardian').filter((pid) => parentOf(pid) === agent!.pid);
  const first = guardians();
  expect(first).toHaveLength(1);
  process.kill(first[0]!, 'SIGKILL');
  await waitUntil(() => guardians().some((pid) => pid !== first[0]), 5_000, 'a new guardian');
  expect(processesWith(marker).length).toBeGreaterThanOrEqual(5); // the job itself was not touched

  const ms = await killAgentAndMeasure([marker]);
  expect(ms).toBeLessThan(1_000);
});

it('a graceful stop leaves no guardian and no spawn helper behind', async () => {
  agent = startAgent(['--sandbox', 'none']);
  await server.waitFor(() => server.subscriberCount > 0, 30_000, 'agent subscribed');
  const agentPid = agent.pid!;
  const guardian = processesWith('cmd-executor-guardian').filter((pid) => parentOf(pid) === agentPid);
  expect(guardian).toHaveLength(1);
  const helper = processesWith('cmd-executor-spawn-helper').filter((pid) => parentOf(pid) === agentPid);
  expect(helper).toHaveLength(1);
  const exited = new Promise<number | null>((r) => agent!.once('exit', (code) => r(code)));
  agent.kill('SIGTERM');
  expect(await exited).toBe(0);
  await waitUntil(() => processesWith('cmd-executor-guardian').every((pid) => pid !== guardian[0]), 2_000, 'guardian gone');
  await waitUntil(() => processesWith('cmd-executor-spawn-helper').every((pid) => pid !== helper[0]), 2_000, 'spawn helper gone');
});
