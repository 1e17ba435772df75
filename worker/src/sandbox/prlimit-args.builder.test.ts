import { buildPrlimitArgs } from './prlimit-args.builder';

describe('buildPrlimitArgs', () => {
  it('sets every limit that is given', () => {
    expect(
      buildPrlimitArgs({ limits: { memoryMb: 512, pids: 64, cpuSeconds: 10, fileSizeMb: 5 }, nproc: 66, dataBytes: 1073741824 }),
    ).toEqual(['--core=0', '--cpu=10:12', '--fsize=5242880', '--nproc=66', '--data=1073741824', '--']);
  });

  it('leaves unlimited ones out', () => {
    expect(buildPrlimitArgs({ limits: { memoryMb: null, pids: null, cpuSeconds: null, fileSizeMb: null }, nproc: null, dataBytes: null })).toEqual([
      '--core=0',
      '--',
    ]);
  });
});
