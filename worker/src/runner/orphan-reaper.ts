import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { errorMessage } from '../errors';

/**
 * Jobs run detached in their own process group, so an agent killed with SIGKILL leaves them
 * running while the server re-runs them elsewhere. Each group is recorded under
 * `<workDir>/.pgroup-<jobId>-<attempt>.json`
 * (beside the job directories, so the work dir is empty again once no job runs) while it runs; the next agent start kills what its dead owner left.
 * A pid is identified with its start time (field 22 of /proc/<pid>/stat), so a recycled
 * pid is never signalled. Linux only: elsewhere nothing is recorded or reaped.
 */

export interface PgroupRecord {
  jobId: string;
  attempt: number;
  pgid: number;
  startTime: string;
  /** the agent that spawned it: entries of an agent still running are not ours to reap */
  ownerPid: number;
  ownerStartTime: string;
}

const PREFIX = '.pgroup-';
const hasProc = process.platform === 'linux';

export function pgroupFile(workDir: string, job: { jobId: string; attempt: number }): string {
  return path.join(workDir, `${PREFIX}${`${job.jobId}-${job.attempt}`.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

/** Field 22 (starttime, clock ticks since boot) of /proc/<pid>/stat; undefined when the pid is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // a zombie holds no group members of its own
    return fields[22 - 3];
  } catch {
    return undefined;
  }
}

function isSameProcess(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

/** Records a freshly spawned group; returns the file to pass to forgetProcessGroup, if written. */
export async function recordProcessGroup(
  workDir: string,
  job: { jobId: string; attempt: number },
  pgid: number,
  logger: Logger,
): Promise<string | undefined> {
  if (!hasProc) return undefined;
  const startTime = processStartTime(pgid);
  const ownerStartTime = ownStartTime();
  if (startTime === undefined || ownerStartTime === undefined) return undefined; // already gone
  const record: PgroupRecord = { jobId: job.jobId, attempt: job.attempt, pgid, startTime, ownerPid: process.pid, ownerStartTime };
  const file = pgroupFile(workDir, job);
  try {
    // Written whole, then renamed into place: a reaper (another agent sharing the work dir)
    // reading mid-write would take a torn record for a foreign one and remove it.
    // Synchronous, like the job directory's mkdir: three tiny local calls, where each thread-pool
    // round trip costs more than the call itself and queues behind everything else.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(record));
    renameSync(partial, file);
    return file;
  } catch (err) {
    logger.warn({ err: errorMessage(err), file }, 'could not record the job process group');
    return undefined;
  }
}

/** The group is gone: its record goes too. */
export async function forgetProcessGroup(file: string | undefined, logger: Logger): Promise<void> {
  if (!file) return;
  // unlink, not rm: a record is a plain file, and rm's lstat first is a call more per job
  // (synchronous, as recordProcessGroup says why)
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ err: errorMessage(err), file }, 'could not remove the process group record');
  }
}

let ownStart: string | undefined;
/** This agent's own start time: it never changes, and reading /proc for it per job is a call more. */
function ownStartTime(): string | undefined {
  ownStart ??= processStartTime(process.pid);
  return ownStart;
}

/**
 * Kills the groups recorded by agents that are no longer running and removes their records.
 * Returns how many groups were killed.
 */
export async function reapOrphans(workDir: string, logger: Logger): Promise<number> {
  if (!hasProc) return 0;
  let names: string[];
  try {
    names = await readdir(workDir);
  } catch {
    return 0; // no work dir yet: no records
  }
  let killed = 0;
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !name.endsWith('.json')) continue;
    const file = path.join(workDir, name);
    let rec: PgroupRecord;
    try {
      rec = JSON.parse(await readFile(file, 'utf8')) as PgroupRecord;
    } catch {
      await rm(file, { force: true }).catch(() => undefined); // torn or foreign: nothing to act on
      continue;
    }
    // Another live agent (maybe in this same process) shares the work dir: its jobs are its own.
    if (typeof rec.ownerStartTime === 'string' && isSameProcess(rec.ownerPid, rec.ownerStartTime)) continue;
    if (Number.isInteger(rec.pgid) && rec.pgid > 1 && typeof rec.startTime === 'string' && isSameProcess(rec.pgid, rec.startTime)) {
      try {
        process.kill(-rec.pgid, 'SIGKILL');
        killed += 1;
        logger.warn({ jobId: rec.jobId, attempt: rec.attempt, pgid: rec.pgid }, 'killed the process group of a job left by a previous agent');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
          logger.warn({ jobId: rec.jobId, attempt: rec.attempt, pgid: rec.pgid, err: errorMessage(err) }, 'could not kill an orphaned job');
        }
      }
    }
    await rm(file, { force: true }).catch(() => undefined);
  }
  return killed;
}
