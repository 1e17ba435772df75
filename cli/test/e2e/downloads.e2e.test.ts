import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiProcess, adminLogin, createWorkerToken, eventually, freePort, graphql, runCli, REPO } from './support/cli-harness';

/**
 * The agent and the CLI installed from the API on "another host": downloaded into an empty
 * directory outside the repository and run with nothing but Node, with the command that
 * createWorkerToken answers.
 */
jest.setTimeout(90_000);

const AGENT_VERSION = (JSON.parse(readFileSync(path.join(REPO, 'worker/package.json'), 'utf8')) as { version: string }).version;

let api: ApiProcess;
let admin: string;
let tmp: string;
let installed: ChildProcess | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cmdx-downloads-'));
  expect(path.relative(REPO, tmp).startsWith('..')).toBe(true);
  api = new ApiProcess(await freePort(), path.join(tmp, 'data'));
  await api.start();
  admin = await adminLogin(api.url);
});

afterAll(async () => {
  if (installed?.pid && installed.exitCode === null) {
    process.kill(-installed.pid, 'SIGTERM');
    await new Promise((r) => installed!.once('exit', r));
  }
  await api?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function download(name: string): Promise<{ body: Buffer; sha256: string; type: string | null }> {
  const res = await fetch(`${api.url}/downloads/${name}`);
  expect(res.status).toBe(200);
  const sum = await fetch(`${api.url}/downloads/${name}.sha256`);
  expect(sum.status).toBe(200);
  return { body: Buffer.from(await res.arrayBuffer()), sha256: await sum.text(), type: res.headers.get('content-type') };
}

it('serves both files with a sha256 that matches, and a 404 for anything else', async () => {
  for (const name of ['cmd-executor-worker.js', 'cmd-executor.js']) {
    const { body, sha256, type } = await download(name);
    expect(type).toMatch(/javascript/);
    expect(sha256).toBe(`${createHash('sha256').update(body).digest('hex')}  ${name}\n`);
  }
  expect((await fetch(`${api.url}/downloads/package.json`)).status).toBe(404);
  expect((await fetch(`${api.url}/downloads/..%2Fpackage.json`)).status).toBe(404);
});

it('createWorkerToken’s install command starts an agent from an empty directory; the downloaded CLI runs a job on it', async () => {
  const issued = await createWorkerToken(api.url, admin, 'downloaded-agent', ['downloaded']);
  expect(issued.installCommand).toBe(
    `curl -fsSLO ${api.url}/downloads/cmd-executor-worker.js && CMD_EXECUTOR_WORKER_TOKEN=${issued.token} node cmd-executor-worker.js --server ${api.url}`,
  );
  const agentDir = mkdtempSync(path.join(tmp, 'agent-host-'));
  // the command as an admin pastes it on the other host; nothing there but curl and node
  installed = spawn('/bin/sh', ['-c', `${issued.installCommand} --work-dir ${agentDir}/work --log-level warn`], {
    cwd: agentDir,
    env: { PATH: process.env.PATH, HOME: agentDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  installed.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  installed.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await eventually(async () => {
    // no --name: the agent takes its token's name (and labels)
    const r = await graphql<{ workers: Array<{ name: string; status: string; labels: string[]; tokenName: string; version: string }> }>(api.url, '{ workers { name status labels tokenName version } }', {}, admin);
    return r.workers.some((w) => w.name === 'downloaded-agent' && w.tokenName === 'downloaded-agent' && w.version === AGENT_VERSION && w.status === 'ONLINE' && w.labels.includes('downloaded')) ? true : undefined;
  }, 30_000, 'the downloaded agent ONLINE').catch((err: Error) => {
    throw new Error(`${err.message}; agent output: ${out}`);
  });
  expect(readdirSync(agentDir).sort()).toEqual(['cmd-executor-worker.js', 'work']);

  const cliDir = mkdtempSync(path.join(tmp, 'cli-host-'));
  const cli = await download('cmd-executor.js');
  writeFileSync(path.join(cliDir, 'cmd-executor.js'), cli.body);
  const r = await runCli(['run', '-l', 'downloaded', 'echo "ran on $(basename "$PWD" | cut -c1-3)"; echo "π ≈ 3.14" >&2'], {
    script: path.join(cliDir, 'cmd-executor.js'),
    cwd: cliDir,
    env: { CMD_EXECUTOR_SERVER: api.url, CMD_EXECUTOR_TOKEN: admin, XDG_CONFIG_HOME: cliDir, NODE_PATH: '' },
  });
  expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: 'π ≈ 3.14\n' });
  expect(r.out).toMatch(/^ran on /);
});

it('PUBLIC_URL is the address in the install command', async () => {
  const other = new ApiProcess(await freePort(), path.join(tmp, 'data-public'), { PUBLIC_URL: 'https://ci.example.com/' });
  await other.start();
  try {
    const issued = await createWorkerToken(other.url, await adminLogin(other.url), 'public-agent');
    expect(issued.installCommand).toBe(
      `curl -fsSLO https://ci.example.com/downloads/cmd-executor-worker.js && CMD_EXECUTOR_WORKER_TOKEN=${issued.token} node cmd-executor-worker.js --server https://ci.example.com`,
    );
  } finally {
    await other.stop();
  }
});
