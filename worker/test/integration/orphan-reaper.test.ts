import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { WorkerAgent } from '../../src/agent/agent';
import { JobRunner } from '../../src/runner/job-runner';
import { NoneSandbox } from '../../src/runner/none.sandbox';
import { pgroupFile, processStartTime, reapOrphans, recordProcessGroup, type PgroupRecord } from '../../src/runner/orphan-reaper';
import { until } from '@cmd-executor/test-support/eventually';
import { FakeJobApi } from '../support/fake-job-api';
import { alive, makeJob } from '../support/jobs';

const logger = pino({ level: 'silent' });
let workDir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-reaper-'));
});
afterEach(() => {
  // whatever a failed assertion left behind, by process group id only
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(workDir, { recursive: true, force: true });
});

/** pids of the live (non-zombie) processes of group `pgid` */
function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}


/** a detached group like the runner's: a shell and two sleeps */
async function startGroup(): Promise<ChildProcess> {
  const child = spawn('/bin/sh', ['-c', 'sleep 300 & sleep 300; wait'], { detached: true, stdio: 'ignore' });
  children.push(child);
  await until(() => groupPids(child.pid!).length >= 3, 5_000);
  return child;
}

/** the owning agent died: its pid now belongs to someone else (another start time) */
function orphan(file: string): void {
  const rec = JSON.parse(readFileSync(file, 'utf8')) as PgroupRecord;
  writeFileSync(file, JSON.stringify({ ...rec, ownerStartTime: `${rec.ownerStartTime}0` }));
}

describe('orphan reaper (real processes, /proc)', () => {
  it('kills every process of a group left by a dead agent and removes its record', async () => {
    const child = await startGroup();
    const pgid = child.pid!;
    const members = groupPids(pgid);
    const file = await recordProcessGroup(workDir, { jobId: 'j1', attempt: 2 }, pgid, logger);
    expect(file).toBe(pgroupFile(workDir, { jobId: 'j1', attempt: 2 }));
    expect(JSON.parse(readFileSync(file!, 'utf8'))).toMatchObject({ jobId: 'j1', attempt: 2, pgid, startTime: processStartTime(pgid) });
    orphan(file!);

    const started = Date.now();
    await expect(reapOrphans(workDir, logger)).resolves.toBe(1);
    await until(() => members.every((p) => !alive(p)), 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(groupPids(pgid)).toEqual([]);
    expect(existsSync(file!)).toBe(false);
  });

  it('after the recording process is killed with SIGKILL, its orphaned job group is reaped', async () => {
    // A stand-in agent (the real module, compiled on the fly) spawns a detached group as the
    // runner does, records it, prints its pgid and is then killed with -9: the group lives on.
    const script = `
      const swc = require('@swc/core'); const fs = require('fs'); const { spawn } = require('child_process');
      require.extensions['.ts'] = (m, f) => m._compile(swc.transformSync(fs.readFileSync(f, 'utf8'),
        { filename: f, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }).code, f);
      const { recordProcessGroup } = require(process.argv[1]);
      const c = spawn('/bin/sh', ['-c', 'sleep 300 & sleep 300; wait'], { detached: true, stdio: 'ignore' });
      c.once('spawn', async () => {
        await recordProcessGroup(process.argv[2], { jobId: 'jk', attempt: 1 }, c.pid, { warn() {} });
        process.stdout.write(c.pid + '\\n');
      });`;
    const agent = spawn(process.execPath, ['-e', script, path.resolve(__dirname, '../../src/runner/orphan-reaper.ts'), workDir], {
      cwd: path.resolve(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pgid = await new Promise<number>((resolve, reject) => {
      agent.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
      agent.once('exit', (code) => reject(new Error(`stand-in agent exited early (${code})`)));
    });
    children.push({ pid: pgid } as ChildProcess);
    await until(() => groupPids(pgid).length >= 3, 5_000);
    const members = groupPids(pgid);
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    expect(members.every((p) => alive(p))).toBe(true); // orphaned, still running

    await expect(reapOrphans(workDir, logger)).resolves.toBe(1);
    await until(() => members.every((p) => !alive(p)), 2_000);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('the agent reaps orphans at start, before it reaches the server', async () => {
    const child = await startGroup();
    const members = groupPids(child.pid!);
    const file = await recordProcessGroup(workDir, { jobId: 'ja', attempt: 1 }, child.pid!, logger);
    orphan(file!);
    // nothing listens on port 1: the agent keeps retrying to connect until stopped
    const agent = new WorkerAgent({ server: 'http://127.0.0.1:1', token: 't', workDir, logger, reconnect: { baseMs: 50, maxMs: 100 } });
    const started = agent.start();
    try {
      // the reaper kills, then removes the record: the members may be gone a moment before it
      await until(() => members.every((p) => !alive(p)) && !existsSync(file!), 2_000, 'the orphaned group killed and its record removed');
    } finally {
      await agent.stop();
      await started;
    }
  });

  it('does not kill a recycled pid (other start time) and removes the stale record', async () => {
    const child = await startGroup();
    const pgid = child.pid!;
    const file = await recordProcessGroup(workDir, { jobId: 'j2', attempt: 1 }, pgid, logger);
    orphan(file!);
    const rec = JSON.parse(readFileSync(file!, 'utf8')) as PgroupRecord;
    writeFileSync(file!, JSON.stringify({ ...rec, startTime: `${rec.startTime}7` }));

    await expect(reapOrphans(workDir, logger)).resolves.toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(groupPids(pgid).length).toBeGreaterThanOrEqual(3);
    expect(existsSync(file!)).toBe(false);
  });

  it('leaves the groups of a live agent sharing the work dir alone', async () => {
    const child = await startGroup();
    const pgid = child.pid!;
    const file = await recordProcessGroup(workDir, { jobId: 'j3', attempt: 1 }, pgid, logger); // owner: this live process

    await expect(reapOrphans(workDir, logger)).resolves.toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(groupPids(pgid).length).toBeGreaterThanOrEqual(3);
    expect(existsSync(file!)).toBe(true);
  });

  it('the runner records its job group while it runs and removes the record once the group is gone', async () => {
    const api = new FakeJobApi();
    const r = new JobRunner(makeJob({ command: 'sleep 300 & sleep 300; wait' }), { api, sandbox: new NoneSandbox(), workDir, killGraceMs: 500, logger });
    const done = r.run();
    const job = r.job;
    await until(() => r.pid !== undefined && existsSync(pgroupFile(workDir, job)), 5_000);
    const rec = JSON.parse(readFileSync(pgroupFile(workDir, job), 'utf8')) as PgroupRecord;
    expect(rec).toMatchObject({ pgid: r.pid, startTime: processStartTime(r.pid!), ownerPid: process.pid });

    r.stop('cancel');
    const outcome = await done;
    expect(outcome.kind === 'completed' && outcome.result.canceled).toBe(true);
    expect(readdirSync(workDir)).toEqual([]); // record and job directory both gone
  });
});
