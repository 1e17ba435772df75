import { SandboxError } from '../runner/sandbox.types';
import { limitExceededMessage, limitFromExit, parseLimitOption, resolveLimits, type ResourceLimits } from './limits.policy';

const agent: ResourceLimits = { memoryMb: 1024, pids: 256, cpuSeconds: null, fileSizeMb: 1024 };

describe('resolveLimits', () => {
  it('takes the agent limits when the job sets none', () => {
    expect(resolveLimits(agent, null)).toEqual(agent);
    expect(resolveLimits(agent, { memoryMb: null, pids: undefined })).toEqual(agent);
  });

  it('lets a job lower each limit', () => {
    expect(resolveLimits(agent, { memoryMb: 512, pids: 64, cpuSeconds: 10, fileSizeMb: 5 })).toEqual({
      memoryMb: 512,
      pids: 64,
      cpuSeconds: 10,
      fileSizeMb: 5,
    });
  });

  it('never lets a job raise a limit', () => {
    expect(resolveLimits(agent, { memoryMb: 4096, pids: 10_000, fileSizeMb: 2048 })).toEqual(agent);
  });

  it('lets a job set a limit the agent leaves unlimited', () => {
    expect(resolveLimits({ ...agent, cpuSeconds: null }, { cpuSeconds: 30 }).cpuSeconds).toBe(30);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => resolveLimits(agent, { memoryMb: 0 })).toThrow(SandboxError);
    expect(() => resolveLimits(agent, { pids: -1 })).toThrow(/invalid limit pids=-1/);
    expect(() => resolveLimits(agent, { cpuSeconds: 1.5 })).toThrow(SandboxError);
  });
});

describe('limit messages', () => {
  const limits: ResourceLimits = { memoryMb: 512, pids: 64, cpuSeconds: 10, fileSizeMb: 100 };

  it('names the limit and its value', () => {
    expect(limitExceededMessage('memoryMb', limits)).toBe('memory limit 512 MiB exceeded');
    expect(limitExceededMessage('pids', limits)).toBe('process limit 64 exceeded');
    expect(limitExceededMessage('cpuSeconds', limits)).toBe('CPU time limit 10 s exceeded');
    expect(limitExceededMessage('fileSizeMb', limits)).toBe('file size limit 100 MiB exceeded');
  });

  it('reads SIGXCPU / SIGXFSZ from a signal or a 128+n status', () => {
    expect(limitFromExit({ exitCode: null, signal: 'SIGXCPU' }, limits)).toBe('cpuSeconds');
    expect(limitFromExit({ exitCode: 152, signal: null }, limits)).toBe('cpuSeconds');
    expect(limitFromExit({ exitCode: null, signal: 'SIGXFSZ' }, limits)).toBe('fileSizeMb');
    expect(limitFromExit({ exitCode: 153, signal: null }, limits)).toBe('fileSizeMb');
    expect(limitFromExit({ exitCode: 1, signal: null }, limits)).toBeNull();
    expect(limitFromExit({ exitCode: null, signal: 'SIGKILL' }, limits)).toBeNull();
  });

  it('does not blame a limit that was not set', () => {
    expect(limitFromExit({ exitCode: 152, signal: null }, { ...limits, cpuSeconds: null })).toBeNull();
  });
});

describe('parseLimitOption', () => {
  it('accepts positive integers and spellings of unlimited', () => {
    expect(parseLimitOption('memory-limit', '512')).toBe(512);
    expect(parseLimitOption('memory-limit', 0)).toBeNull();
    expect(parseLimitOption('memory-limit', 'unlimited')).toBeNull();
    expect(parseLimitOption('memory-limit', undefined)).toBeNull();
  });

  it('rejects anything else with the option name', () => {
    expect(() => parseLimitOption('pids-limit', '12x')).toThrow('invalid --pids-limit "12x"');
    expect(() => parseLimitOption('pids-limit', '-3')).toThrow(SandboxError);
  });
});
