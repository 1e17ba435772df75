import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../errors';
import { DEFAULT_SERVER, normalizeServer } from './server-url';

export interface Credentials {
  server: string;
  token: string;
  username?: string;
}

export type Env = Record<string, string | undefined>;

export function credentialsPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'cmd-executor', 'credentials.json');
}

export function readCredentials(env: Env = process.env): Credentials | undefined {
  let text: string;
  try {
    text = readFileSync(credentialsPath(env), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${credentialsPath(env)}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    if (typeof parsed.server === 'string' && typeof parsed.token === 'string') return { server: parsed.server, token: parsed.token, username: parsed.username };
  } catch {
    // fall through: a damaged file is the same as none, and login rewrites it
  }
  return undefined;
}

/**
 * The token is a bearer secret: the file is created 0600 (directory 0700) and replaced by a
 * rename, so it is never readable by others, not even for a moment, and never half-written.
 */
export function writeCredentials(creds: Credentials, env: Env = process.env): string {
  const file = credentialsPath(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

export function removeCredentials(env: Env = process.env): boolean {
  const file = credentialsPath(env);
  try {
    rmSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError(`cannot remove ${file}: ${(err as Error).message}`);
  }
}

export interface Session {
  server: string;
  token?: string;
}

/**
 * Where to connect and with which token: `--server`, then CMD_EXECUTOR_SERVER, then the
 * credentials file; CMD_EXECUTOR_TOKEN wins over the file's token (CI). The file's token is
 * only sent to the server it was issued by.
 */
export function resolveSession(serverFlag: string | undefined, env: Env = process.env): Session {
  const saved = readCredentials(env);
  const server = normalizeServer(serverFlag ?? env.CMD_EXECUTOR_SERVER ?? saved?.server ?? DEFAULT_SERVER);
  const token = env.CMD_EXECUTOR_TOKEN || (saved && normalizeServer(saved.server) === server ? saved.token : undefined);
  return { server, token };
}
