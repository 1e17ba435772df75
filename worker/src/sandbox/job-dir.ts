/** Handing the per-job directory to the unprivileged uid a sandboxed job runs as. */
import { chown, lchown, lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SandboxError } from '../runner/sandbox.types';

/** With a uid switch every directory above the work dir must be searchable by others. */
export async function assertReachable(dir: string): Promise<void> {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const st = await stat(d);
    if ((st.mode & 0o001) === 0) {
      throw new SandboxError(
        `the sandbox cannot reach the job directory ${dir}: ${d} is not searchable by other users; use a --work-dir below world-searchable directories`,
      );
    }
    if (d === '/') return;
  }
}

export async function chownTree(path: string, uid: number): Promise<void> {
  await chown(path, uid, uid);
  const st = await lstat(path);
  if (!st.isDirectory()) return;
  for (const name of await readdir(path)) {
    const child = join(path, name);
    const cst = await lstat(child);
    if (cst.isDirectory()) await chownTree(child, uid);
    else await lchown(child, uid, uid); // never follow a link out of the work dir
  }
}
