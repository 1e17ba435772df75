import { buildDockerEnvFile, buildDockerRunArgs, buildDockerStopArgs, buildLeftoverListArgs, containerName, type DockerRunInput } from './docker-args.builder';

const input: DockerRunInput = {
  name: 'cmdx-w1-job1-2',
  agentId: 'w1',
  jobKey: 'job1/2',
  image: 'debian:bookworm-slim',
  limits: { memoryMb: 512, pids: 64, cpuSeconds: null, fileSizeMb: null },
  cpus: null,
  uid: 1800001,
  gid: 1800001,
  workDir: '/tmp/cmdx/job1-2',
  cwd: '/tmp/cmdx/job1-2',
  envFile: null,
  file: '/bin/sh',
  args: ['-c', 'echo hi'],
};

describe('buildDockerRunArgs', () => {
  it('builds the hardened run command', () => {
    expect(buildDockerRunArgs(input)).toEqual([
      'run',
      '--rm',
      '--init',
      '--name',
      'cmdx-w1-job1-2',
      '--label',
      'cmd-executor.agent=w1',
      '--label',
      'cmd-executor.job=job1/2',
      '--network',
      'none',
      '--read-only',
      '--tmpfs',
      '/tmp:rw,nosuid,nodev,size=512m',
      '--pids-limit',
      '64',
      '--memory',
      '512m',
      '--memory-swap',
      '512m',
      '--ulimit',
      'core=0',
      '--user',
      '1800001:1800001',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--volume',
      '/tmp/cmdx/job1-2:/tmp/cmdx/job1-2',
      '--workdir',
      '/tmp/cmdx/job1-2',
      'debian:bookworm-slim',
      '/bin/sh',
      '-c',
      'echo hi',
    ]);
  });

  const after = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);

  it('adds --cpus when the agent sets CPU bandwidth', () => {
    expect(after(buildDockerRunArgs({ ...input, cpus: 1.5 }), '--cpus')).toEqual(['1.5']);
    expect(buildDockerRunArgs(input)).not.toContain('--cpus');
  });

  it('turns CPU time and file size limits into ulimits', () => {
    const argv = buildDockerRunArgs({ ...input, limits: { ...input.limits, cpuSeconds: 30, fileSizeMb: 2 } });
    expect(after(argv, '--ulimit')).toEqual(['cpu=30:32', 'fsize=2097152:2097152', 'core=0']);
  });

  it('leaves out unlimited memory and pids', () => {
    const argv = buildDockerRunArgs({ ...input, limits: { memoryMb: null, pids: null, cpuSeconds: null, fileSizeMb: null } });
    expect(argv).not.toContain('--memory');
    expect(argv).not.toContain('--pids-limit');
    expect(after(argv, '--tmpfs')).toEqual(['/tmp:rw,nosuid,nodev']);
  });

  it('passes job variables in an env file (values stay out of argv)', () => {
    const argv = buildDockerRunArgs({ ...input, envFile: '/dev/fd/4' });
    expect(after(argv, '--env-file')).toEqual(['/dev/fd/4']);
    expect(argv).not.toContain('--env');
  });

  it('uses the job image and its cwd, and puts the command last', () => {
    const argv = buildDockerRunArgs({ ...input, image: 'node:20-slim', cwd: '/tmp/cmdx/job1-2/src', file: 'npm', args: ['test'] });
    expect(argv.slice(-3)).toEqual(['node:20-slim', 'npm', 'test']);
    expect(after(argv, '--workdir')).toEqual(['/tmp/cmdx/job1-2/src']);
  });
});

describe('docker helpers', () => {
  it('derives a valid container name from agent and job', () => {
    expect(containerName('build box #1', '65f0a1/3')).toBe('cmdx-build_box_1-65f0a1-3');
    expect(containerName('w', 'a/1')).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
  });

  it('stops with the grace period and lists the agent’s leftovers by label', () => {
    expect(buildDockerStopArgs('cmdx-w1-j-1', 10)).toEqual(['stop', '--time', '10', 'cmdx-w1-j-1']);
    expect(buildLeftoverListArgs('w1')).toEqual(['ps', '--all', '--quiet', '--filter', 'label=cmd-executor.agent=w1']);
  });
});

describe('buildDockerEnvFile', () => {
  it('writes NAME=VALUE lines, values literally', () => {
    expect(buildDockerEnvFile({ A: '1', B: ' spaced = "quoted" ', EMPTY: '' })).toBe('A=1\nB= spaced = "quoted" \nEMPTY=\n');
  });

  it('refuses a value with a line break (the format cannot carry it)', () => {
    expect(() => buildDockerEnvFile({ KEY: '-----BEGIN\nxyz' })).toThrow('variable KEY has a line break in its value');
  });
});
