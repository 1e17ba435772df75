import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentialsPath, readCredentials, removeCredentials, resolveSession, writeCredentials } from './credentials.store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-creds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('credentials store', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/x', HOME: '/home/u' })).toBe('/x/cmd-executor/credentials.json');
    expect(credentialsPath({ HOME: '/home/u' })).toBe('/home/u/.config/cmd-executor/credentials.json');
    expect(credentialsPath({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.config/cmd-executor/credentials.json');
  });

  it('writes the file 0600 in a 0700 directory, reads it back and removes it', () => {
    const env = { XDG_CONFIG_HOME: dir };
    const file = writeCredentials({ server: 'http://a:4000', token: 't1', username: 'u' }, env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readCredentials(env)).toEqual({ server: 'http://a:4000', token: 't1', username: 'u' });
    expect(removeCredentials(env)).toBe(true);
    expect(readCredentials(env)).toBeUndefined();
    expect(removeCredentials(env)).toBe(false);
  });

  it('treats a damaged file as no login', () => {
    mkdirSync(path.join(dir, 'cmd-executor'));
    writeFileSync(path.join(dir, 'cmd-executor', 'credentials.json'), '{not json');
    expect(readCredentials({ XDG_CONFIG_HOME: dir })).toBeUndefined();
  });
});

describe('resolveSession', () => {
  it('--server, then CMD_EXECUTOR_SERVER, then the saved server; CMD_EXECUTOR_TOKEN wins over the saved token', () => {
    const env = { XDG_CONFIG_HOME: dir };
    writeCredentials({ server: 'http://saved:4000', token: 'saved-token' }, env);
    expect(resolveSession(undefined, env)).toEqual({ server: 'http://saved:4000', token: 'saved-token' });
    expect(resolveSession(undefined, { ...env, CMD_EXECUTOR_TOKEN: 'ci' })).toEqual({ server: 'http://saved:4000', token: 'ci' });
    expect(resolveSession('http://flag:1/', { ...env, CMD_EXECUTOR_SERVER: 'http://env:2' }).server).toBe('http://flag:1');
  });

  it('never sends the saved token to another server', () => {
    const env = { XDG_CONFIG_HOME: dir };
    writeCredentials({ server: 'http://saved:4000', token: 'saved-token' }, env);
    expect(resolveSession('http://elsewhere:4000', env)).toEqual({ server: 'http://elsewhere:4000', token: undefined });
  });

  it('refuses a server that is not an http(s) URL, or carries credentials', () => {
    expect(() => resolveSession('ftp://x', { XDG_CONFIG_HOME: dir })).toThrow('expected http:// or https://');
    expect(() => resolveSession('http://u:p@x', { XDG_CONFIG_HOME: dir })).toThrow('no credentials in the URL');
  });
});
