/**
 * The namespace sandbox's process limit counted by the cgroup v1 pids controller (hosts
 * without a delegated cgroup v2, the agent root): a job that hits its limit ends with an error
 * naming it, also when it exits 0 afterwards. Where the agent cannot write a pids cgroup the
 * limit is RLIMIT_NPROC plus sampling (see the README); these tests are then not defined and
 * the log says "DID NOT RUN".
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseOwnPidsCgroupV1, PIDS_V1_ROOT, pidsCgroupName, removeOrphanPidsCgroups } from '../../../src/sandbox/cgroup-v1-pids';
import { NamespaceSandbox } from '../../../src/sandbox/namespace.sandbox';
import { DEFAULT_AGENT_LIMITS } from '../../../src/sandbox/limits.policy';
import { detectNamespaceTools } from '../../../src/sandbox/detect';
import { UidPool } from '../../../src/sandbox/uid-pool';
import { makeJob, makeJobDir, removeDir, runInSandbox } from './sandbox-harness';

jest.setTimeout(120_000);

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];

/** this process's pids cgroup (v1), when it may create children there */
function pidsParent(): string | null {
  try {
    const own = parseOwnPidsCgroupV1(readFileSync('/proc/self/cgroup', 'utf8'));
    if (own === null) return null;
    const dir = join(PIDS_V1_ROOT, own);
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return null;
  }
}
const parent = pidsParent();
if (!parent) console.warn(`namespace sandbox pids-cgroup (v1) tests DID NOT RUN: no writable pids cgroup under ${PIDS_V1_ROOT}`);

afterAll(async () => {
  await Promise.all(dirs.map(removeDir));
});

async function jobDir(): Promise<string> {
  const dir = await makeJobDir();
  dirs.push(dir);
  return dir;
}

if (parent) {
  describe('process limit counted by a cgroup v1 pids controller', () => {
    let sandbox: NamespaceSandbox;

    beforeAll(async () => {
      const tools = await detectNamespaceTools();
      if (!tools.ok) throw new Error(`bubblewrap is not usable here: ${tools.reason}`);
      sandbox = new NamespaceSandbox({
        ...tools.paths,
        limits: DEFAULT_AGENT_LIMITS,
        cgroupParent: null,
        pidsCgroupParent: parent,
        uidPool: isRoot ? new UidPool(1_910_000, 1000) : null,
      });
    });

    it('a /bin/sh fork bomb followed by sleep 5 fails naming the default limit, every time', async () => {
      for (let i = 0; i < 3; i += 1) {
        const res = await runInSandbox(sandbox, makeJob('f() { f | f & }; f; sleep 5'), await jobDir(), { timeoutMs: 60_000 });
        expect(res.error).toBe(`process limit ${DEFAULT_AGENT_LIMITS.pids} exceeded`);
      }
    });

    it('names the limit when the job carries on after a refused fork and exits 0', async () => {
      // the subshell gives up at its first refused fork; the job itself ends well
      const res = await runInSandbox(
        sandbox,
        makeJob('(for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.3 & done; wait) 2>/dev/null; echo carried-on; exit 0', { limits: { pids: 4 } }),
        await jobDir(),
      );
      expect(res.error).toBe('process limit 4 exceeded');
    });

    it('says nothing of a job that stays below its limit', async () => {
      const res = await runInSandbox(sandbox, makeJob('for i in 1 2 3 4 5 6; do sleep 0.3 & done; wait; echo fine', { limits: { pids: 8 } }), await jobDir());
      expect(res.error).toBeUndefined();
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toBe('fine\n');
    });
  });
}

if (parent) {
  describe('job pids cgroups a killed agent left', () => {
    it('are removed for agents that are gone; a live agent’s are kept', async () => {
      // a pid that is certainly gone: a child that already exited
      const deadPid = spawnSync('/bin/true').pid!;
      const orphan = join(parent, pidsCgroupName('orphan/1', 'aaaaaa', deadPid));
      const live = join(parent, pidsCgroupName('live/1', 'bbbbbb', process.pid));
      await mkdir(orphan);
      await mkdir(live);
      try {
        expect(await removeOrphanPidsCgroups(parent)).toBeGreaterThanOrEqual(1);
        expect(existsSync(orphan)).toBe(false);
        expect(existsSync(live)).toBe(true);
      } finally {
        await rmdir(orphan).catch(() => undefined);
        await rmdir(live).catch(() => undefined);
      }
    });
  });
}
