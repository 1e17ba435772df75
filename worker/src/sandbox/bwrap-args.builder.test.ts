import { buildBwrapArgs, buildBwrapEnvArgs } from './bwrap-args.builder';

describe('buildBwrapArgs', () => {
  const base = { file: '/bin/sh', args: ['-c', 'echo hi'], workDir: '/var/lib/cmdx/job1', cwd: '/var/lib/cmdx/job1', tmpfsBytes: null };

  it('builds the full isolation command line', () => {
    expect(buildBwrapArgs({ ...base, infoFd: 3 })).toEqual([
      '--unshare-user',
      '--disable-userns',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--hostname',
      'sandbox',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--tmpfs',
      '/tmp',
      '--tmpfs',
      '/dev/shm',
      '--bind',
      '/var/lib/cmdx/job1',
      '/var/lib/cmdx/job1',
      '--chdir',
      '/var/lib/cmdx/job1',
      '--die-with-parent',
      '--new-session',
      '--info-fd',
      '3',
      '--',
      '/bin/sh',
      '-c',
      'echo hi',
    ]);
  });

  it('leaves out --disable-userns for bwrap before 0.8', () => {
    const argv = buildBwrapArgs({ ...base, disableUserns: false });
    expect(argv).not.toContain('--disable-userns');
    expect(argv).toContain('--unshare-user');
  });

  it('caps /tmp and /dev/shm when a size is given', () => {
    const argv = buildBwrapArgs({ ...base, tmpfsBytes: 1048576 });
    expect(argv.join(' ')).toContain('--size 1048576 --tmpfs /tmp --size 1048576 --tmpfs /dev/shm');
  });

  it('mounts the work dir writable after the read-only root, so it wins', () => {
    const argv = buildBwrapArgs(base);
    expect(argv.indexOf('--bind')).toBeGreaterThan(argv.indexOf('--ro-bind'));
  });

  it('keeps the job environment off the command line: it comes through --args', () => {
    const argv = buildBwrapArgs({ ...base, argsFd: 4 });
    expect(argv.slice(0, 2)).toEqual(['--args', '4']);
    expect(argv).not.toContain('--setenv');
  });

  it('turns the environment into NUL-separated --clearenv/--setenv arguments', () => {
    expect(buildBwrapEnvArgs({ PATH: '/usr/bin', 'MULTI': 'a b\nc=d' })).toBe(
      '--clearenv\0--setenv\0PATH\0/usr/bin\0--setenv\0MULTI\0a b\nc=d\0',
    );
    expect(buildBwrapEnvArgs({})).toBe('--clearenv\0');
  });

  it('passes arguments verbatim after --, even ones that look like flags', () => {
    const argv = buildBwrapArgs({ ...base, file: '/usr/bin/env', args: ['--unshare-net', '-i'], cwd: '/srv/x' });
    expect(argv.slice(argv.indexOf('--'))).toEqual(['--', '/usr/bin/env', '--unshare-net', '-i']);
    expect(argv[argv.indexOf('--chdir') + 1]).toBe('/srv/x');
  });
});
