/**
 * The cgroup v2 backend's file handling, against a plain directory standing in for a
 * cgroup (this host has no cgroup v2 memory/pids controllers; see the README section):
 * the limits written, the wrapper that moves the job into the cgroup before exec, the
 * events read back and the pids watch that kills a job stuck at pids.max.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupPidsWatch, findCgroupParent, JobCgroup } from '../../../src/sandbox/cgroup-v2';
import { WRAPPER_SCRIPT } from '../../../src/sandbox/namespace.sandbox';
import { removeDir } from './sandbox-harness';

let parent: string;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'cmdx-fake-cgroup-'));
});

afterAll(async () => {
  await removeDir(parent);
});

it('writes the job limits into a new child cgroup', async () => {
  const cg = await JobCgroup.create(parent, 'job-a', { memoryMb: 512, pids: 64, cpuSeconds: null, fileSizeMb: null });
  expect(cg.dir).toBe(join(parent, 'job-a'));
  const read = (f: string) => readFile(join(cg.dir, f), 'utf8');
  expect(await read('memory.max')).toBe(String(512 * 1024 * 1024));
  expect(await read('memory.oom.group')).toBe('1');
  expect(await read('pids.max')).toBe('64');
});

it('leaves unlimited limits unwritten', async () => {
  const cg = await JobCgroup.create(parent, 'job-b', { memoryMb: null, pids: null, cpuSeconds: null, fileSizeMb: null });
  await expect(readFile(join(cg.dir, 'memory.max'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  await expect(readFile(join(cg.dir, 'pids.max'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
});

it('reads OOM kills and pids.max hits from the event files', async () => {
  const cg = await JobCgroup.create(parent, 'job-c', { memoryMb: 64, pids: 8, cpuSeconds: null, fileSizeMb: null });
  expect(await cg.events()).toEqual({ oomKills: 0, pidsMax: 0 });
  await writeFile(join(cg.dir, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n');
  await writeFile(join(cg.dir, 'pids.events'), 'max 3\n');
  expect(await cg.events()).toEqual({ oomKills: 1, pidsMax: 3 });
});

it('the wrapper joins the cgroup with the pid that then execs the job', async () => {
  const cg = await JobCgroup.create(parent, 'job-d', { memoryMb: 64, pids: 8, cpuSeconds: null, fileSizeMb: null });
  const info = join(parent, 'info.json');
  const envFile = join(parent, 'env-args');
  await writeFile(envFile, 'x');
  const out = execFileSync('/bin/sh', ['-c', WRAPPER_SCRIPT, 'sh', cg.dir, info, envFile, '/bin/sh', '-c', 'echo $$; cat <&4']).toString();
  const [pid, fd4] = out.split('\n');
  expect((await readFile(join(cg.dir, 'cgroup.procs'), 'utf8')).trim()).toBe(pid);
  // the args file is open as fd 4 and already unlinked
  expect(fd4).toBe('x');
  await expect(readFile(envFile)).rejects.toMatchObject({ code: 'ENOENT' });
});

it('the wrapper refuses to run the job when it cannot join the cgroup', () => {
  const res = (() => {
    try {
      execFileSync('/bin/sh', ['-c', WRAPPER_SCRIPT, 'sh', join(parent, 'missing'), join(parent, 'i.json'), '/dev/null', '/bin/echo', 'RAN'], {
        stdio: 'pipe',
      });
      return { status: 0, out: '' };
    } catch (err) {
      const e = err as { status: number; stdout: Buffer };
      return { status: e.status, out: e.stdout.toString() };
    }
  })();
  expect(res.status).toBe(125);
  expect(res.out).not.toContain('RAN');
});

it('the pids watch kills the cgroup once pids.max was hit', async () => {
  const cg = await JobCgroup.create(parent, 'job-e', { memoryMb: null, pids: 8, cpuSeconds: null, fileSizeMb: null });
  const watch = new CgroupPidsWatch(cg, 20);
  watch.start();
  try {
    await new Promise((r) => setTimeout(r, 80));
    expect(watch.exceeded).toBeNull();
    await writeFile(join(cg.dir, 'pids.events'), 'max 1\n');
    await new Promise((r) => setTimeout(r, 120));
    expect(watch.exceeded).toBe('pids');
    expect(await readFile(join(cg.dir, 'cgroup.kill'), 'utf8')).toBe('1');
  } finally {
    watch.stop();
  }
});

it('refuses a configured parent that is not a cgroup directory', async () => {
  await expect(findCgroupParent(join(parent, 'nope'))).rejects.toThrow(/--cgroup-parent .* cannot be used/);
});

it('refuses a configured plain directory (no cgroup.controllers)', async () => {
  await expect(findCgroupParent(parent)).rejects.toThrow(/not a cgroup v2 directory with the memory and pids controller/);
});

// Looking for the agent's own cgroup on a cgroup v2 host would move this test process into
// a leaf cgroup, so that case is only checked on hosts without the unified hierarchy.
if (!existsSync('/sys/fs/cgroup/cgroup.controllers')) {
  it('on a host without a unified cgroup hierarchy finds none and says why', async () => {
    expect(await findCgroupParent(null)).toEqual({ dir: null, reason: '/sys/fs/cgroup is not a cgroup v2 (unified) hierarchy' });
  });
}
