/**
 * The namespace sandbox for real: bubblewrap must be installed (`apt-get install -y
 * bubblewrap`); the suite fails, not skips, without it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NamespaceSandbox } from '../../../src/sandbox/namespace.sandbox';
import { DEFAULT_AGENT_LIMITS } from '../../../src/sandbox/limits.policy';
import { detectNamespaceTools } from '../../../src/sandbox/detect';
import { UidPool } from '../../../src/sandbox/uid-pool';
import { makeJob, makeJobDir, removeDir, runInSandbox } from './sandbox-harness';

jest.setTimeout(60_000);

const isRoot = process.getuid?.() === 0;
let sandbox: NamespaceSandbox;
let server: Server;
let port: number;
let accepted = 0;
const dirs: string[] = [];

async function jobDir(): Promise<string> {
  const dir = await makeJobDir();
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  const tools = await detectNamespaceTools();
  if (!tools.ok) throw new Error(`bubblewrap is not usable here: ${tools.reason}`);
  sandbox = new NamespaceSandbox({
    ...tools.paths,
    limits: DEFAULT_AGENT_LIMITS,
    cgroupParent: null,
    uidPool: isRoot ? new UidPool(1_900_000, 1000) : null,
    monitorIntervalMs: 50,
  });
  server = createServer((socket) => {
    accepted += 1;
    socket.end('hello\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all(dirs.map(removeDir));
});

describe('namespace sandbox isolation', () => {
  const connect = () =>
    `node -e "require('net').connect(${port},'127.0.0.1').on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log('ERR '+e.code);process.exit(3)})"`;

  it('cannot reach a port the host listens on (the same command can outside)', async () => {
    // control: the unsandboxed command does connect, so the check below can fail
    expect(execFileSync('/bin/sh', ['-c', connect()]).toString()).toContain('CONNECTED');
    const before = accepted;
    const res = await runInSandbox(sandbox, makeJob(connect()), await jobDir());
    expect(res.stdout).toMatch(/ERR (ECONNREFUSED|ENETUNREACH)/);
    expect(res.exitCode).toBe(3);
    expect(accepted).toBe(before + 1); // only the control connection arrived
    expect(res.error).toBeUndefined();
  });

  it('writes only to its work dir and /tmp', async () => {
    const dir = await jobDir();
    // world-writable on the host: only the read-only mount can stop the job
    const outside = await mkdtemp(join(tmpdir(), 'cmdx-outside-'));
    dirs.push(outside);
    await chmod(outside, 0o777);
    const res = await runInSandbox(
      sandbox,
      makeJob(
        `echo work > ${dir}/out.txt && echo tmp > /tmp/t.txt && cat /tmp/t.txt && ` +
          `(echo x > ${outside}/escape.txt && echo OUTSIDE-WRITTEN || echo outside-refused) && ` +
          `(echo x > /etc/escape.txt && echo ETC-WRITTEN || echo etc-refused)`,
      ),
      dir,
    );
    expect(res.stdout.split('\n')).toEqual(['tmp', 'outside-refused', 'etc-refused', '']);
    expect(res.stderr).toMatch(/Read-only file system/);
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('work\n');
    await expect(stat(join(outside, 'escape.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat('/etc/escape.txt')).rejects.toMatchObject({ code: 'ENOENT' });
    // the sandbox's /tmp is private: nothing lands in the host's
    await expect(stat('/tmp/t.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sees only its own processes', async () => {
    const res = await runInSandbox(sandbox, makeJob('ps -e -o pid=,comm='), await jobDir());
    const procs = res.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    // bwrap's init (pid 1), the shell, ps — nothing of the host (jest, node, …)
    expect(procs.length).toBeLessThanOrEqual(3);
    expect(procs.map(([, comm]) => comm)).toContain('ps');
    expect(procs.map(([pid]) => Number(pid)).every((pid) => pid <= 3)).toBe(true);
    expect(res.stdout).not.toMatch(/node|jest/);
  });

  it('gets only its own environment', async () => {
    process.env.CMDX_AGENT_ONLY_SECRET = 'agent-secret-value';
    try {
      const res = await runInSandbox(sandbox, makeJob('env', { env: { JOB_VAR: 'job-value' } }), await jobDir());
      expect(res.stdout).toContain('JOB_VAR=job-value');
      expect(res.stdout).not.toContain('CMDX_AGENT_ONLY_SECRET');
      expect(res.stdout).not.toContain('agent-secret-value');
      // nothing beyond what the runner gave it (PWD is set by bwrap to the cwd)
      const names = res.stdout.trim().split('\n').map((l) => l.split('=')[0]).sort();
      expect(names).toEqual(['HOME', 'JOB_VAR', 'PATH', 'PWD']);
    } finally {
      delete process.env.CMDX_AGENT_ONLY_SECRET;
    }
  });

  it('gives its variables to the job only, not to the programs that set the sandbox up', async () => {
    const dir = await jobDir();
    let outerEnv: string[] = [];
    let envFileLeft: boolean | undefined;
    const job = makeJob('echo "in=$SETUP_PROBE"; sleep 0.5', { env: { SETUP_PROBE: 'job-only', LD_PRELOAD: '' } });
    const res = await runInSandbox(sandbox, job, dir, {
      onSpawn: (pid, wrapped) => {
        // the spawned process has exec'd its way to bwrap by then
        setTimeout(() => {
          outerEnv = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
          envFileLeft = existsSync(wrapped.spec.args.find((a) => a.endsWith('/bwrap-env'))!);
        }, 250);
      },
    });
    expect(res.stdout).toBe('in=job-only\n');
    expect(outerEnv).toContain('PATH=/usr/sbin:/usr/bin:/sbin:/bin');
    expect(outerEnv.map((kv) => kv.split('=')[0]).filter((k) => k !== 'PATH' && k !== 'PWD')).toEqual([]);
    // the file that carried the variables was unlinked once opened
    expect(envFileLeft).toBe(false);
    expect(res.wrapped.spec.args.join(' ')).not.toContain('job-only');
  });

  it('keeps job secrets off the command line (visible to every host user)', async () => {
    const dir = await jobDir();
    const job = makeJob('cat /proc/1/cmdline | tr "\\0" " "', { env: { TOKEN: 's3cr3t-in-env' } });
    const res = await runInSandbox(sandbox, job, dir);
    expect(res.wrapped.spec.args.join(' ')).not.toContain('s3cr3t-in-env');
    expect(res.stdout).not.toContain('s3cr3t-in-env');
  });
});

describe('namespace sandbox limits', () => {
  it('kills a job at its memory limit and names the limit', async () => {
    // grows by 16 MiB every 20 ms up to 1 GiB and holds it
    const grow =
      `node -e "const a=[];const t=setInterval(()=>{a.push(Buffer.alloc(16<<20,1));if(a.length>=64){clearInterval(t);setTimeout(()=>console.log('SURVIVED'),3000)}},20)"`;
    const res = await runInSandbox(sandbox, makeJob(grow, { limits: { memoryMb: 128 } }), await jobDir());
    expect(res.error).toBe('memory limit 128 MiB exceeded');
    expect(res.stdout).not.toContain('SURVIVED');
    expect(res.exitCode === 0).toBe(false);
  });

  it('lets a job under its memory limit finish normally', async () => {
    const res = await runInSandbox(
      sandbox,
      makeJob(`node -e "const b=Buffer.alloc(32<<20,1);console.log('ok',b.length)"`, { limits: { memoryMb: 256 } }),
      await jobDir(),
    );
    expect(res.error).toBeUndefined();
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('ok 33554432');
  });

  it('kills a job that reaches its process limit and names the limit', async () => {
    const res = await runInSandbox(
      sandbox,
      // bash retries a failed fork (holding its children) instead of exiting at once
      makeJob(`bash -c 'for i in $(seq 1 40); do sleep 5 & done; wait; echo ALL-DONE'`, { limits: { pids: 16 } }),
      await jobDir(),
    );
    expect(res.error).toBe('process limit 16 exceeded');
    expect(res.stdout).not.toContain('ALL-DONE');
    expect(res.ms).toBeLessThan(4_500); // killed, not waited for the sleeps
  });

  it('contains a fork bomb: bounded, ends, and leaves nothing behind', async () => {
    const marker = `bomb${process.pid}`;
    // the classic bash fork bomb: bash keeps retrying failed forks, so it sits at the limit
    const res = await runInSandbox(
      sandbox,
      makeJob(`bash -c '${marker}() { ${marker} | ${marker} & }; ${marker}; sleep 30'`, { limits: { pids: 64 } }),
      await jobDir(),
      { timeoutMs: 20_000 },
    );
    expect(res.error).toBe('process limit 64 exceeded');
    expect(res.ms).toBeLessThan(10_000);
    // no process of the bomb survives on the host
    await new Promise((r) => setTimeout(r, 200));
    const left = execFileSync('ps', ['-e', '-o', 'args=']).toString().split('\n').filter((l) => l.includes(marker));
    expect(left).toEqual([]);
    // and the host still forks
    expect(execFileSync('/bin/echo', ['host-ok']).toString()).toBe('host-ok\n');
  });

  it('stops a job at its file size limit and names the limit', async () => {
    const dir = await jobDir();
    const res = await runInSandbox(
      sandbox,
      makeJob(`head -c 5000000 /dev/zero > ${dir}/big.bin`, { limits: { fileSizeMb: 1 } }),
      dir,
    );
    expect(res.error).toBe('file size limit 1 MiB exceeded');
    expect((await stat(join(dir, 'big.bin'))).size).toBe(1024 * 1024);
  });

  it('stops a job at its CPU time limit and names the limit', async () => {
    const res = await runInSandbox(sandbox, makeJob('while :; do :; done', { limits: { cpuSeconds: 1 } }), await jobDir());
    expect(res.error).toBe('CPU time limit 1 s exceeded');
    expect(res.ms).toBeLessThan(6_000);
  });

  it('reports an ordinary failure as no limit', async () => {
    const res = await runInSandbox(sandbox, makeJob('echo oops >&2; exit 7'), await jobDir());
    expect(res.exitCode).toBe(7);
    expect(res.error).toBeUndefined();
    expect(res.stderr).toBe('oops\n');
  });
});
