import { limitFromEvents, parseKeyedFile, parseOwnCgroup } from './cgroup-v2';

describe('cgroup v2 parsing', () => {
  it('finds the unified path in /proc/self/cgroup', () => {
    expect(parseOwnCgroup('0::/system.slice/cmdx.service\n')).toBe('/system.slice/cmdx.service');
    // a hybrid host lists v1 controllers first
    expect(parseOwnCgroup('4:memory:/x\n1:name=systemd:/\n0::/\n')).toBe('/');
    expect(parseOwnCgroup('4:memory:/x\n')).toBeNull();
  });

  it('parses flat-keyed files', () => {
    expect(parseKeyedFile('low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n')).toEqual({
      low: 0,
      high: 0,
      max: 3,
      oom: 1,
      oom_kill: 1,
      oom_group_kill: 0,
    });
  });

  it('names memory first, then pids', () => {
    expect(limitFromEvents({ oomKills: 1, pidsMax: 5 })).toBe('memoryMb');
    expect(limitFromEvents({ oomKills: 0, pidsMax: 5 })).toBe('pids');
    expect(limitFromEvents({ oomKills: 0, pidsMax: 0 })).toBeNull();
  });
});
