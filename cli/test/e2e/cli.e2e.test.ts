import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiProcess, CLI, adminLogin, createWorkerToken, eventually, freePort, graphql, runCli, spawnCli, startAgent, ADMIN_PASSWORD, type Agent } from './support/cli-harness';

/**
 * `cmd-executor` as a user runs it: the built CLI against the built API (`node api/dist/main.js`)
 * and a real worker agent, all real processes on real sockets.
 */
jest.setTimeout(90_000);

let api: ApiProcess;
let admin: string;
let agent: Agent;
let tmp: string;
const LABEL = 'cli-e2e';

/** The CLI's environment: the API and the admin's token, an empty config dir. */
const env = (extra: Record<string, string | undefined> = {}) => ({ CMD_EXECUTOR_SERVER: api.url, CMD_EXECUTOR_TOKEN: admin, XDG_CONFIG_HOME: path.join(tmp, 'config'), ...extra });

async function job(id: string) {
  return (await graphql<{ job: { status: string; exitCode: number | null; error: string | null; env: Array<{ name: string; value: string | null; secret: boolean }> } }>(api.url, 'query($id: ID!) { job(id: $id) { status exitCode error env { name value secret } } }', { id }, admin)).job;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cmdx-cli-e2e-'));
  api = new ApiProcess(await freePort(), path.join(tmp, 'data'));
  await api.start();
  admin = await adminLogin(api.url);
  const { token } = await createWorkerToken(api.url, admin, 'cli-e2e-agent', [LABEL]);
  agent = startAgent({ server: api.url, token, name: 'cli-e2e-agent' });
  await eventually(async () => {
    const r = await graphql<{ workers: Array<{ name: string; status: string }> }>(api.url, '{ workers { name status } }', {}, admin);
    return r.workers.some((w) => w.name === 'cli-e2e-agent' && w.status === 'ONLINE') ? true : undefined;
  }, 30_000, 'the agent ONLINE');
});

afterAll(async () => {
  await agent?.stop();
  await api?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

it('writes the job’s stdout and stderr byte for byte, multi-byte UTF-8 split across chunks included', async () => {
  // every character class UTF-8 has (1 to 4 bytes, controls, CR, no final newline), large enough
  // to cross the agent's chunk boundaries in the middle of characters
  const script = `
    const unit = 'a\\tb\\r\\n\\u0001\\u001b[31mé€𝄞😀中文\\u0085\\u2028\\ufeff\\n';
    let out = ''; let err = '';
    for (let i = 0; i < 4000; i++) { out += i + ':' + unit; err += unit.split('').reverse().join('') + i; }
    const half = (s) => [s.slice(0, s.length / 2), s.slice(s.length / 2)];
    const [o1, o2] = half(out); const [e1, e2] = half(err);
    process.stdout.write(o1); process.stderr.write(e1);
    setTimeout(() => { process.stdout.write(o2); process.stderr.write(e2 + 'end without newline'); }, 50);
  `;
  const file = path.join(tmp, 'bytes.js');
  writeFileSync(file, script);
  // the same program run here gives the bytes the job must produce
  const expected = await runLocal(file);
  const r = await runCli(['run', '-l', LABEL, '--', process.execPath, file], { env: env() });
  expect(r.code).toBe(0);
  expect(r.stdout.equals(expected.stdout)).toBe(true);
  expect(r.stderr.equals(expected.stderr)).toBe(true);
  expect(r.stdout.length).toBeGreaterThan(100_000);
});

async function runLocal(file: string) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [file]);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  await new Promise((r) => child.once('close', r));
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

it.each([
  ['the job’s exit code', ['exit 3'], 3],
  ['success', ['--', 'true'], 0],
  ['128+N for a job killed by signal N', ['kill -TERM $$'], 143],
  ['124 for TIMED_OUT', ['--timeout', '1', '--', 'sleep', '30'], 124],
  ['125 when the job never produced an exit code (spawn failure)', ['--', '/nonexistent/cmd-executor-e2e'], 125],
])('exit status: %s', async (_what, args, status) => {
  const r = await runCli(['run', '-l', LABEL, ...args], { env: env() });
  expect({ code: r.code, err: r.err }).toEqual({ code: status, err: '' });
});

it('exit status 2 with one line on stderr for its own errors: bad option, no login, refused login, server down', async () => {
  // The server-down case retries for 2 s: it runs beside the others, which need no such wait.
  const started = Date.now();
  const downRun = (async () => runCli(['run', 'true'], { env: env({ CMD_EXECUTOR_SERVER: `http://127.0.0.1:${await freePort()}`, CMD_EXECUTOR_RETRY_SECONDS: '2' }) }))();

  const bad = await runCli(['run', '--priority', 'high', 'true'], { env: env() });
  expect(bad.code).toBe(2);
  expect(bad.err.trim().split('\n')).toHaveLength(1);

  const noLogin = await runCli(['jobs'], { env: { XDG_CONFIG_HOME: path.join(tmp, 'empty'), CMD_EXECUTOR_SERVER: api.url } });
  expect(noLogin.code).toBe(2);
  expect(noLogin.err).toBe('cmd-executor: not logged in, or the session expired or was refused: run `cmd-executor login`\n');

  const expired = await runCli(['jobs'], { env: env({ CMD_EXECUTOR_TOKEN: 'not-a-valid-token' }) });
  expect(expired.code).toBe(2);
  expect(expired.err).toMatch(/run `cmd-executor login`\n$/);

  const refused = await runCli(['login', '--server', api.url, '--username', 'admin', '--password-stdin'], { env: env(), stdin: 'wrong-password\n' });
  expect(refused.code).toBe(2);
  expect(refused.err).toBe(`cmd-executor: login refused by ${api.url}: wrong user name or password\n`);

  const down = await downRun;
  expect(down.code).toBe(2);
  expect(down.err).toMatch(/^cmd-executor: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*; gave up after 2 s\n$/);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
});

it('login keeps the session in a 0600 file under XDG_CONFIG_HOME; logout forgets it', async () => {
  const config = path.join(tmp, 'login-config');
  const own = { XDG_CONFIG_HOME: config, HOME: tmp };
  const login = await runCli(['login', '--server', api.url, '--username', 'admin', '--password-stdin'], { env: own, stdin: `${ADMIN_PASSWORD}\n` });
  expect(login.code).toBe(0);
  const file = path.join(config, 'cmd-executor', 'credentials.json');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ server: api.url, username: 'admin' });
  const ran = await runCli(['run', '-l', LABEL, 'echo from a saved login'], { env: own });
  expect({ code: ran.code, out: ran.out }).toEqual({ code: 0, out: 'from a saved login\n' });
  expect((await runCli(['logout'], { env: own })).code).toBe(0);
  const after = await runCli(['run', 'true'], { env: own });
  expect(after.code).toBe(2);
  expect(after.err).toContain('run `cmd-executor login`');
});

it('login on a terminal asks for the password without echoing it', async () => {
  const { spawn } = await import('node:child_process');
  const config = path.join(tmp, 'tty-login-config');
  const term = spawn('script', ['-qec', `${process.execPath} ${CLI} login --server ${api.url} --username admin`, '/dev/null'], { env: { ...process.env, XDG_CONFIG_HOME: config }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  term.stdout.on('data', (b: Buffer) => (screen += b.toString()));
  const exited = new Promise<number | null>((resolve) => term.once('exit', (code) => resolve(code)));
  try {
    await eventually(() => (screen.includes('password for admin: ') ? true : undefined), 20_000, 'the password prompt');
    term.stdin.write(`${ADMIN_PASSWORD}\r`);
    expect(await exited).toBe(0);
    expect(screen).toContain('logged in to');
    expect(screen).not.toContain(ADMIN_PASSWORD);
    expect(statSync(path.join(config, 'cmd-executor', 'credentials.json')).mode & 0o777).toBe(0o600);
  } finally {
    term.kill('SIGKILL');
  }
});

it('--secret-env takes the value from the CLI’s environment and the API never shows it', async () => {
  const r = await runCli(['run', '--json', '-l', LABEL, '-e', 'PLAIN=p', '--secret-env', 'API_KEY', 'printf "%s/" "$PLAIN"; test "$API_KEY" = "s3cr3t value" && echo match; echo "$API_KEY"'], { env: env({ API_KEY: 's3cr3t value' }) });
  expect(r.code).toBe(0);
  const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; job?: { id: string }; data?: string; stream?: string; exitCode?: number });
  expect(events.filter((e) => e.event === 'log' && e.stream === 'STDOUT').map((e) => e.data).join('')).toBe('p/match\n***\n'); // the agent masks secrets in output
  expect(events.at(-1)).toMatchObject({ event: 'exit', status: 'SUCCEEDED', exitCode: 0 });
  const id = events.find((e) => e.event === 'created')!.job!.id;
  expect((await job(id)).env).toEqual([
    { name: 'PLAIN', value: 'p', secret: false },
    { name: 'API_KEY', value: null, secret: true },
  ]);
});

it('Ctrl-C cancels the running job and exits 130; a job waiting for a label says why it waits', async () => {
  const run = spawnCli(['run', '-l', LABEL, 'echo started; sleep 60; echo never'], { env: env() });
  await eventually(() => (run.stdout().toString() === 'started\n' ? true : undefined), 30_000, 'the job to start');
  run.child.kill('SIGINT');
  const { code } = await run.exited;
  expect(code).toBe(130);
  const id = /canceling job (\w+); Ctrl-C again to detach/.exec(run.stderr().toString())?.[1];
  expect(id).toBeDefined();
  expect((await job(id!)).status).toBe('CANCELED');
  expect(run.stdout().toString()).toBe('started\n');

  const queued = spawnCli(['run', '--verbose', '-l', 'gpu-nobody-has', 'true'], { env: env() });
  await eventually(() => (queued.stderr().toString().includes('waiting for a worker with labels gpu-nobody-has: none online\n') ? true : undefined), 30_000, 'the waiting line');
  queued.child.kill('SIGINT');
  expect((await queued.exited).code).toBe(130);
  const qid = /canceling job (\w+)/.exec(queued.stderr().toString())![1]!;
  expect((await job(qid)).status).toBe('CANCELED');
});

it('on a terminal it says why the job waits without --verbose, and Ctrl-C there cancels it', async () => {
  // `script` gives the CLI a pseudo-terminal; Ctrl-C is the ^C byte typed into it
  const { spawn } = await import('node:child_process');
  const term = spawn('script', ['-qec', `${process.execPath} ${CLI} run -l gpu-nobody-has true`, '/dev/null'], { env: { ...process.env, ...env() }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  term.stdout.on('data', (b: Buffer) => (screen += b.toString()));
  const exited = new Promise<number | null>((resolve) => term.once('exit', (code) => resolve(code)));
  try {
    await eventually(() => (screen.includes('waiting for a worker with labels gpu-nobody-has: none online') ? true : undefined), 30_000, `the waiting line; screen: ${screen}`);
    term.stdin.write('\x03');
    await eventually(() => (/canceling job \w+; Ctrl-C again to detach/.test(screen) ? true : undefined), 10_000, 'the cancel line');
    expect(await exited).toBe(130);
    expect(screen).toMatch(/job \w+ CANCELED/);
  } finally {
    term.kill('SIGKILL');
  }
});

it('a reader that goes away ends the job as a pipe ends a local command: canceled, exit 141, not a word', async () => {
  // `cmd-executor run -- yes | head`: the CLI's stdout closes after the first output
  const run = spawnCli(['run', '-l', LABEL, '--', 'yes', 'y'], { env: env() });
  await eventually(() => (run.stdout().length > 0 ? true : undefined), 30_000, 'the first output');
  run.child.stdout!.destroy();
  const { code } = await run.exited;
  expect(code).toBe(141);
  expect(run.stderr().toString()).toBe('');
  const { jobs } = await graphql<{ jobs: { edges: Array<{ node: { id: string; command: string; args: string[] } }> } }>(api.url, '{ jobs(first: 5) { edges { node { id command args } } } }', {}, admin);
  const id = jobs.edges.map((e) => e.node).find((j) => j.command === 'yes' && j.args[0] === 'y')!.id;
  await eventually(async () => ((await job(id)).status === 'CANCELED' ? true : undefined), 20_000, 'the job CANCELED');

  // `logs -f` only follows: its reader going away leaves the job alone
  const detached = await runCli(['run', '--detach', '-l', LABEL, '--', 'yes', 'z'], { env: env() });
  const zid = detached.out.trim();
  const logs = spawnCli(['logs', '-f', zid], { env: env() });
  await eventually(() => (logs.stdout().length > 0 ? true : undefined), 30_000, 'the logs');
  logs.child.stdout!.destroy();
  expect((await logs.exited).code).toBe(141);
  // still running (its start may not be reported yet: ASSIGNED)
  expect(['ASSIGNED', 'RUNNING']).toContain((await job(zid)).status);
  await runCli(['cancel', zid], { env: env() });
});

it('a second Ctrl-C detaches at once and prints the job id', async () => {
  // A job that ignores SIGTERM stays RUNNING through the cancel's grace period, so the second
  // Ctrl-C always lands while the CLI still waits for the cancel (a QUEUED job cancels at once).
  const run = spawnCli(['run', '--', 'sh', '-c', 'trap "" TERM; echo ready; sleep 20'], { env: env() });
  await eventually(() => (run.stdout().toString().includes('ready\n') ? true : undefined), 30_000, 'the job running');
  run.child.kill('SIGINT');
  await eventually(() => (run.stderr().toString().includes('canceling job') ? true : undefined), 10_000, 'the first Ctrl-C');
  const id = /canceling job (\w+)/.exec(run.stderr().toString())![1]!;
  run.child.kill('SIGINT');
  expect((await run.exited).code).toBe(130);
  expect(run.stderr().toString()).toContain(`detached from job ${id}`);
});

it('--detach prints the id; logs, logs -f, jobs, show, cancel, retry and workers work on it', async () => {
  const detached = await runCli(['run', '--detach', '-l', LABEL, 'echo out; echo err >&2; exit 4'], { env: env() });
  expect(detached.code).toBe(0);
  const id = detached.out.trim();
  expect(id).toMatch(/^[0-9a-f]{24}$/);
  const followed = await runCli(['logs', '-f', id], { env: env() });
  expect({ code: followed.code, out: followed.out, err: followed.err }).toEqual({ code: 4, out: 'out\n', err: 'err\n' });
  const logs = await runCli(['logs', id], { env: env() });
  expect({ code: logs.code, out: logs.out, err: logs.err }).toEqual({ code: 0, out: 'out\n', err: 'err\n' });

  const jobs = await runCli(['jobs', '--status', 'FAILED', '--json'], { env: env() });
  expect((JSON.parse(jobs.out) as Array<{ id: string }>).map((j) => j.id)).toContain(id);
  const table = await runCli(['jobs', '--limit', '3'], { env: env() });
  expect(table.out.split('\n')[0]).toMatch(/^ID\s+STATUS\s+EXIT\s+ATTEMPT\s+QUEUED\s+WORKER\s+COMMAND$/);
  const show = await runCli(['show', id], { env: env() });
  expect(show.out).toMatch(/^status:\s+FAILED$/m);
  expect(show.out).toMatch(/^exit code:\s+4$/m);

  const retried = await runCli(['retry', id], { env: env() });
  expect(retried.out).toBe(`${id} QUEUED attempt 2\n`);
  const again = await runCli(['logs', '-f', id], { env: env() });
  expect({ code: again.code, out: again.out }).toEqual({ code: 4, out: 'out\n' });
  const attempt1 = await runCli(['logs', '--attempt', '1', id], { env: env() });
  expect(attempt1.out).toBe('out\n');

  const waiting = await runCli(['run', '--detach', '-l', 'gpu-nobody-has', 'true'], { env: env() });
  const cancel = await runCli(['cancel', waiting.out.trim()], { env: env() });
  expect(cancel.out).toBe(`${waiting.out.trim()} CANCELED\n`);

  const workers = await runCli(['workers'], { env: env() });
  expect(workers.out).toMatch(/^cli-e2e-agent\s+ONLINE\s+\d+\/4\s+cli-e2e-agent\s/m);
  // nine processes that only print: side by side
  const helps = await Promise.all(['run', 'logs', 'jobs', 'show', 'cancel', 'retry', 'workers', 'login', 'logout'].map((cmd) => runCli([cmd, '--help'])));
  for (const help of helps) {
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Example/);
  }
});

it('the API restarted in the middle of run: the output is complete, with no gap and no duplicate', async () => {
  const run = spawnCli(['run', '-l', LABEL, 'for i in $(seq 1 120); do echo "line $i"; sleep 0.05; done'], { env: env() });
  await eventually(() => (run.stdout().toString().includes('line 5\n') ? true : undefined), 30_000, 'the first lines');
  await api.stop();
  await new Promise((r) => setTimeout(r, 500));
  await api.start();
  const { code } = await run.exited;
  expect(run.stderr().toString()).toBe('');
  expect(code).toBe(0);
  expect(run.stdout().toString()).toBe(Array.from({ length: 120 }, (_, i) => `line ${i + 1}\n`).join(''));
});
