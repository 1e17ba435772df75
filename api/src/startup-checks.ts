/**
 * What `npm start` checks before it creates anything (data, the first admin), so a start that
 * cannot succeed ends with one clear line and exit status 1, not a stack trace: the port
 * already taken, the data dir held by another running instance.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** A start that cannot go on, said in one sentence for the terminal. */
export class StartupError extends Error {
  readonly code = 'STARTUP';
}

/** The embedded server's lock file (see mongo-wire/storage/durability.ts). */
const MONGO_LOCK = 'mongod.lock';

/** Throws when another live process holds the embedded data under `dataDir`. */
export function assertDataDirFree(dataDir: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dataDir, 'mongo', MONGO_LOCK), 'utf8').trim());
  } catch {
    return; // no lock: nobody uses it
  }
  if (!pid || pid === process.pid || !isAlive(pid)) return;
  throw new StartupError(
    `the data dir ${dataDir} is in use by another cmd-executor (process ${pid}); stop it first, or start this one with --data-dir DIR`,
  );
}

/** Throws when nothing could listen on `port` at `host` now (port 0: any free port, always fine). */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => resolve());
    });
  } catch (err) {
    throw new StartupError(describeListenError(err, port, host) ?? `cannot listen on ${host}:${port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** One line for a listen error, or undefined when it is not one. */
export function describeListenError(err: unknown, port: number | string, host: string): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use (another cmd-executor?); stop it, or set PORT`;
  if (code === 'EACCES') return `no permission to listen on port ${port} on ${host}; choose another PORT`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine; check HOST`;
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Before anything is created: the port and (embedded store) the data dir are free. */
export async function preflight(config: { port: number; host: string }, dataDir: string, embeddedStore: boolean): Promise<void> {
  if (embeddedStore) assertDataDirFree(dataDir);
  await assertPortFree(config.port, config.host);
}

/** The one line for an error that ended the start, or undefined when it deserves its stack. */
export function describeStartupFailure(err: unknown): string | undefined {
  if (err instanceof StartupError) return err.message;
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.syscall === 'listen') return describeListenError(err, e.port ?? '?', e.address ?? '?');
  // the embedded store's own lock, when another instance took it after the preflight
  const inUse = /^dbpath (.+) is in use by process (\d+)$/.exec(e?.message ?? '');
  if (inUse) return `the data dir ${inUse[1]} is in use by another cmd-executor (process ${inUse[2]}); stop it first, or use --data-dir DIR`;
  return undefined;
}
