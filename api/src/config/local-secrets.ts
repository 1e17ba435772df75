/**
 * `npm start` without JWT_SECRET / WORKER_TOKEN_SECRET (outside production): random secrets made
 * at first start and kept in the data dir, readable by this user only, so sessions and worker
 * tokens survive a restart and nobody else can sign one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SECRETS_FILE = 'secrets.json';

export interface LocalSecrets {
  JWT_SECRET: string;
  WORKER_TOKEN_SECRET: string;
}

/** Creates `dir` (and its parents) mode 0700, and makes it 0700 when it already exists, whatever the umask. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** The kept secrets, made (0600) when the file is missing or lacks one. */
export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, SECRETS_FILE);
  let saved: Partial<LocalSecrets> = {};
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is unreadable or not JSON; remove it to make new secrets (every session ends)`);
  }
  const secrets: LocalSecrets = {
    JWT_SECRET: typeof saved.JWT_SECRET === 'string' && saved.JWT_SECRET ? saved.JWT_SECRET : randomSecret(),
    WORKER_TOKEN_SECRET: typeof saved.WORKER_TOKEN_SECRET === 'string' && saved.WORKER_TOKEN_SECRET ? saved.WORKER_TOKEN_SECRET : randomSecret(),
  };
  if (secrets.JWT_SECRET !== saved.JWT_SECRET || secrets.WORKER_TOKEN_SECRET !== saved.WORKER_TOKEN_SECRET) {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  }
  chmodSync(file, 0o600);
  return secrets;
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
