import { lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync } from 'node:fs';
import path from 'node:path';

const PREFIX = '.spare-dir-';

/**
 * Emptied job directories kept for the next job. On ext4 a mkdir and its rmdir cost a quarter
 * of a millisecond together (an inode and a block allocated, then freed), synchronously on
 * the agent's event loop for every job; a rename within the work dir costs a tenth of that.
 *
 * Only for jobs that run as the agent's own user with nothing chowned (sandbox NONE): a
 * directory is kept only when it is as mkdir made it (empty, a directory of this user, its
 * mode unchanged), so a job finds nothing of an earlier one that it could not have found in
 * the work dir itself. At most `max` are kept; `clear()` removes them when the agent stops, and
 * `removeLeftSpares()` those a killed agent left.
 */
export class SpareJobDirs {
  private readonly spares: string[] = [];
  private named = 0;
  private closed = false;
  /** The mode mkdir gives a directory here (the process umask applied), read at the first mkdir. */
  private madeMode: number | undefined;

  constructor(
    private readonly workDir: string,
    private readonly max: number,
  ) {}

  /** Makes `dir`, a new job's directory in the work dir: a spare renamed into place, else a mkdir. */
  take(dir: string): void {
    for (let spare = this.spares.pop(); spare !== undefined; spare = this.spares.pop()) {
      try {
        renameSync(spare, dir);
        return;
      } catch {
        // Removed from under us (another agent sharing the work dir cleared what it took for a
        // leftover), or `dir` exists: try the next, then make one.
        removeEmptyDir(spare);
      }
    }
    mkdirSync(dir, { recursive: true });
    this.madeMode ??= lstatSync(dir).mode & 0o7777;
  }

  /** Keeps `dir` for a later job when it is as mkdir made it; false: the caller removes it. */
  keep(dir: string): boolean {
    if (this.closed || this.spares.length >= this.max || this.madeMode === undefined) return false;
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o7777) !== this.madeMode) return false;
      if (readdirSync(dir).length > 0) return false;
      const spare = path.join(this.workDir, `${PREFIX}${process.pid}-${(this.named += 1)}`);
      renameSync(dir, spare);
      this.spares.push(spare);
      return true;
    } catch {
      return false;
    }
  }

  /** Removes every spare and keeps no more (the agent stops: the work dir is left as it was found). */
  clear(): void {
    this.closed = true;
    for (const spare of this.spares.splice(0)) removeEmptyDir(spare);
  }

  get size(): number {
    return this.spares.length;
  }
}

/**
 * Removes the spares a killed agent left in `workDir` (an agent still running that shares the
 * work dir loses the ones it kept, and makes its next directories with mkdir).
 */
export function removeLeftSpares(workDir: string): void {
  let names: string[];
  try {
    names = readdirSync(workDir);
  } catch {
    return; // no work dir yet
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX) || name.startsWith(`${PREFIX}${process.pid}-`)) continue;
    removeEmptyDir(path.join(workDir, name));
  }
}

/** rmdir, which removes only an empty directory: one not empty (never ours to empty) or gone already stays as it is. */
function removeEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* not empty, or gone */
  }
}
