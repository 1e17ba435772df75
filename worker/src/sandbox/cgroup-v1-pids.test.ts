import { parseOwnPidsCgroupV1 } from './cgroup-v1-pids';

describe('parseOwnPidsCgroupV1', () => {
  it('finds the pids hierarchy line, alone or shared with other controllers', () => {
    expect(parseOwnPidsCgroupV1('9:name=systemd:/\n8:pids:/agents/a1\n0::/\n')).toBe('/agents/a1');
    expect(parseOwnPidsCgroupV1('3:cpu,pids:/x\n')).toBe('/x');
  });

  it('is null on a pure cgroup v2 host', () => {
    expect(parseOwnPidsCgroupV1('0::/user.slice/session-1.scope\n')).toBeNull();
  });
});
