/** Runs a short host command (bwrap probe, docker CLI) with a timeout; never throws. */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';

export interface HostCommandResult {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export type HostCommandRunner = (file: string, args: readonly string[], timeoutMs?: number) => Promise<HostCommandResult>;

export const runHostCommand: HostCommandRunner = (file, args, timeoutMs = 15_000) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ ok: !err, exitCode: code, stdout: String(stdout), stderr: String(stderr) || (err ? err.message : '') });
    });
  });

/** Absolute path of `name` on PATH (or `name` itself when it already has a slash), or null. */
export async function whichCommand(name: string, pathEnv = process.env.PATH ?? ''): Promise<string | null> {
  const candidates = name.includes('/') ? [name] : pathEnv.split(':').filter(Boolean).map((dir) => `${dir}/${name}`);
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}
