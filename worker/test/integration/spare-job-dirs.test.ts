import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { JobRunner } from '../../src/runner/job-runner';
import { NoneSandbox } from '../../src/runner/none.sandbox';
import type { RunnableJob, Sandbox } from '../../src/runner/sandbox.types';
import { removeLeftSpares, SpareJobDirs } from '../../src/runner/spare-job-dirs';
import { FakeJobApi } from '../support/fake-job-api';
import { makeJob } from '../support/jobs';

const logger = pino({ level: 'silent' });
let workDir: string;

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-spares-'));
});
afterEach(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs `command` as a job with these spares; what it printed. */
async function run(spares: SpareJobDirs, command: string, sandbox: Sandbox = new NoneSandbox()): Promise<string> {
  const api = new FakeJobApi();
  const job: RunnableJob = makeJob({ command });
  const outcome = await new JobRunner(job, { api, sandbox, workDir, killGraceMs: 500, logger, spareDirs: spares }).run();
  expect(outcome.kind).toBe('completed');
  return api.text('STDOUT');
}

const entries = () => readdirSync(workDir).sort();

describe('job directories kept for the next job', () => {
  it('gives the next job the directory an earlier one left empty, renamed, with nothing in it', async () => {
    const spares = new SpareJobDirs(workDir, 2);
    const first = (await run(spares, 'pwd; stat -c %a .')).split('\n');
    expect(entries()).toEqual([expect.stringMatching(/^\.spare-dir-/)]);
    const spareIno = statSync(path.join(workDir, entries()[0]!)).ino;

    const second = (await run(spares, 'pwd; stat -c %a .; stat -c %i .; ls -A | wc -l')).split('\n');
    expect(second[0]).not.toBe(first[0]); // its own name, under the work dir
    expect(path.dirname(second[0]!)).toBe(workDir);
    expect(second[1]).toBe(first[1]); // the mode mkdir gave it
    expect(Number(second[2])).toBe(spareIno); // the same directory, not a new one
    expect(second[3]?.trim()).toBe('0');
    spares.clear();
    expect(entries()).toEqual([]);
  });

  it('removes a directory that is not as mkdir made it: files left, a changed mode', async () => {
    const spares = new SpareJobDirs(workDir, 4);
    const made = (await run(spares, 'stat -c %a .; touch left-behind; mkdir sub')).trim();
    expect(made).not.toBe('700');
    await run(spares, 'chmod 700 .');
    expect(entries()).toEqual([]);
    expect(await run(spares, 'ls -A | wc -l; stat -c %a .')).toBe(`0\n${made}\n`);
  });

  it('keeps at most `max`, none for another sandbox, and none once cleared', async () => {
    const spares = new SpareJobDirs(workDir, 1);
    await Promise.all([run(spares, 'sleep 0.2'), run(spares, 'sleep 0.2')]);
    expect(spares.size).toBe(1);
    const other: Sandbox = Object.assign(new NoneSandbox(), { kind: 'NAMESPACE' as const });
    await run(spares, 'true', other);
    expect(spares.size).toBe(1);
    spares.clear();
    await run(spares, 'true');
    expect(spares.size).toBe(0);
    expect(entries()).toEqual([]);
  });

  it("removes the empty spares a killed agent left, and leaves this agent's and anything with content", () => {
    mkdirSync(path.join(workDir, '.spare-dir-999999-1'));
    mkdirSync(path.join(workDir, '.spare-dir-999999-2'));
    writeFileSync(path.join(workDir, '.spare-dir-999999-2', 'not-ours-to-empty'), 'x');
    mkdirSync(path.join(workDir, `.spare-dir-${process.pid}-1`));
    removeLeftSpares(workDir);
    expect(entries()).toEqual(['.spare-dir-999999-2', `.spare-dir-${process.pid}-1`].sort());
  });

  it('makes a directory when a spare went missing from under it', async () => {
    const spares = new SpareJobDirs(workDir, 2);
    await run(spares, 'true');
    rmSync(path.join(workDir, entries()[0]!), { recursive: true }); // as a second agent's start would
    expect(await run(spares, 'echo ran')).toBe('ran\n');
  });
});
