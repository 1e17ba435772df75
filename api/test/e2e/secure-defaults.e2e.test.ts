import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { createHmac } from 'node:crypto';
import { eventually } from '@cmd-executor/test-support/eventually';
import { errorCode, gql, login, ok, wsClient, wsRequest } from '@cmd-executor/test-support/graphql-client';
import { secretLookingLiterals } from '@cmd-executor/test-support/source-literals';
import { PUBLISHED_SECRETS } from '../../src/config';

/**
 * `npm start` on a fresh machine with nothing configured, under a umask that would make every
 * file world-readable: it listens on loopback only, signs with random secrets it keeps in the
 * data dir (0600), keeps every data file to its user, prints the first admin's password in the
 * banner only, and refuses every session signed with a secret written anywhere in the repository.
 */
jest.setTimeout(120_000);

const MAIN = path.resolve(__dirname, '../../dist/main.js');
const started: ChildProcess[] = [];
let dataDir: string;

interface Running {
  proc: ChildProcess;
  url: string;
  wsUrl: string;
  output: () => string;
}

async function startMain(args: string[] = []): Promise<Running> {
  // `umask 000`: the modes must not depend on the umask.
  const proc = spawn('/bin/sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, MAIN, '--data-dir', dataDir, '--no-local-worker', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      LOG_LEVEL: 'info',
      // Hundreds of forged requests from one address below: the anonymous budget is not under test.
      ANON_RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_MAX: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await eventually(async () => /GraphQL:\s+(http:\/\/\S+\/graphql)/.exec(out)?.[1], 30_000, 'main.js to print its URL');
  return { proc, url, wsUrl: url.replace(/^http/, 'ws'), output: () => out };
}

async function stop(r: Running): Promise<void> {
  const done = new Promise((resolve) => r.proc.once('exit', resolve));
  r.proc.kill('SIGTERM');
  await done;
}

/** `check` for every item, `size` at a time; rejects with the first failure once the batch it is in has settled. */
async function inBatches<T>(items: T[], size: number, check: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    const results = await Promise.allSettled(items.slice(i, i + size).map(check));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

const bannerPassword = (out: string): string | undefined => /log in as "admin" with password: (\S+)/.exec(out)?.[1];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [path.join(dir, e.name), ...filesUnder(path.join(dir, e.name))] : [path.join(dir, e.name)]));
}
const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

beforeAll(() => {
  dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cmdx-secure-')), 'data');
});
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

let firstPassword: string;
let adminId: string;
let session: string;

it('listens on loopback only and says how to expose it; the first admin password is in the banner, not the log', async () => {
  const main = await startMain();
  expect(main.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  expect(main.output()).toMatch(/reachable from this machine only; to expose it set HOST=0\.0\.0\.0/);
  firstPassword = bannerPassword(main.output())!;
  expect(firstPassword).toMatch(/^\S{12,}$/);
  const jsonLines = main.output().split('\n').filter((l) => l.startsWith('{'));
  expect(jsonLines.length).toBeGreaterThan(0);
  for (const l of jsonLines) expect(l).not.toContain(firstPassword);

  session = await login(main.url, 'admin', firstPassword);
  adminId = ok(await gql<{ me: { id: string } }>(main.url, '{ me { id } }', undefined, { token: session })).me.id;

  const secrets = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  expect(Buffer.from(secrets.JWT_SECRET!, 'base64url')).toHaveLength(32);
  expect(Buffer.from(secrets.WORKER_TOKEN_SECRET!, 'base64url')).toHaveLength(32);
  expect(secrets.JWT_SECRET).not.toBe(secrets.WORKER_TOKEN_SECRET);
  expect(jwt.verify(session, secrets.JWT_SECRET!)).toMatchObject({ sub: adminId });
  // the embedded store has no auth of its own: it listens on a socket only this user may open,
  // not on a port every local user could reach
  const store = statSync(path.join(dataDir, 'mongo-wire.sock'));
  expect(store.isSocket()).toBe(true);
  expect(store.mode & 0o777).toBe(0o600);
  await stop(main);
});

it('keeps the data dir 0700 and every file in it 0600 under umask 000', () => {
  expect(mode(dataDir)).toBe('700');
  const entries = filesUnder(dataDir);
  expect(entries.map((p) => path.relative(dataDir, p))).toEqual(expect.arrayContaining(['secrets.json', 'mongo', expect.stringMatching(/^mongo\/journal/)]));
  for (const p of entries) expect(`${path.relative(dataDir, p)} ${mode(p)}`).toBe(`${path.relative(dataDir, p)} ${statSync(p).isDirectory() ? '700' : '600'}`);
});

describe('after a restart on the same data dir', () => {
  let main: Running;
  beforeAll(async () => {
    main = await startMain();
  });
  afterAll(async () => stop(main));

  it('keeps the secrets (the earlier session still works) and prints no new password', async () => {
    expect(bannerPassword(main.output())).toBeUndefined();
    expect(main.output()).toMatch(/log in as "admin" with the password printed at first start/);
    expect(ok(await gql<{ me: { id: string } }>(main.url, '{ me { id } }', undefined, { token: session })).me.id).toBe(adminId);
  });

  it('refuses an admin session signed with any secret-looking literal of the repository, over HTTP and WebSocket', async () => {
    const literals = [...new Set([...PUBLISHED_SECRETS, ...secretLookingLiterals()])];
    expect(literals.length).toBeGreaterThan(PUBLISHED_SECRETS.length + 20);
    expect(literals).toEqual(expect.arrayContaining([...PUBLISHED_SECRETS, 'x'.repeat(40)]));
    const forged = (secret: string) => jwt.sign({ role: 'ADMIN', username: 'admin' }, secret, { algorithm: 'HS256', subject: adminId, expiresIn: 600 });
    const accepted: string[] = [];
    // A few literals at a time: each check is independent, and the API is a process of its own.
    await inBatches(literals, 8, async (secret) => {
      const r = await gql(main.url, '{ me { id } users { id } }', undefined, { token: forged(secret) });
      if (errorCode(r) !== 'UNAUTHENTICATED' || r.data) accepted.push(secret);
      // a worker token MACed with it
      const body = `${'a'.repeat(24)}.0`;
      const workerToken = `cwt.${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
      const w = await gql(main.url, '{ jobs { edges { cursor } } }', undefined, { headers: { 'x-worker-token': workerToken } });
      if (errorCode(w) !== 'UNAUTHENTICATED' || w.data) accepted.push(`worker:${secret}`);
    });
    expect(accepted).toEqual([]);

    const closes: Array<number | undefined> = [];
    await inBatches(literals, 8, async (secret) => {
      let closed: number | undefined;
      const client = wsClient(main.wsUrl, { authToken: forged(secret) }, { onClosed: (code) => (closed = code) });
      try {
        const result = await wsRequest(client, '{ me { id } }').catch((e: unknown) => ({ refused: e }));
        expect(result).toHaveProperty('refused');
        await eventually(async () => closed, 5_000, 'the socket to close');
        closes.push(closed);
      } finally {
        await client.dispose();
      }
    });
    expect(closes).toEqual(literals.map(() => 4403));
  });
});

it('`--reset-admin-password` prints a new password in the banner; the old one stops working', async () => {
  const main = await startMain(['--reset-admin-password']);
  try {
    const next = bannerPassword(main.output());
    expect(next).toBeDefined();
    expect(next).not.toBe(firstPassword);
    expect(main.output()).toMatch(/just reset/);
    for (const l of main.output().split('\n').filter((x) => x.startsWith('{'))) expect(l).not.toContain(next);
    const old = await gql(main.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'admin', p: firstPassword });
    expect(old.data?.login ?? null).toBeNull();
    await login(main.url, 'admin', next!);
  } finally {
    await stop(main);
  }
});
