import { buildSpawnSpec, DEFAULT_JOB_PATH, secretValues } from './spawn-spec';
import { makeJob } from '../../test/support/jobs';
import type { RunnableJob } from './sandbox.types';

const job = (over: Partial<RunnableJob> = {}): RunnableJob => makeJob({ jobId: 'j1', command: 'echo hi', ...over });

describe('buildSpawnSpec', () => {
  it('runs a command without args through /bin/sh -c', () => {
    expect(buildSpawnSpec(job(), '/w/j1', '/w/j1')).toEqual({
      file: '/bin/sh',
      args: ['-c', 'echo hi'],
      env: { PATH: DEFAULT_JOB_PATH, HOME: '/w/j1' },
      cwd: '/w/j1',
    });
  });

  it('execs command + args without a shell', () => {
    const spec = buildSpawnSpec(job({ command: 'printf', args: ['%s', 'a b'] }), '/c', '/h');
    expect(spec.file).toBe('printf');
    expect(spec.args).toEqual(['%s', 'a b']);
  });

  it('uses only the job env, keeping its own PATH and HOME', () => {
    const spec = buildSpawnSpec(
      job({ env: [{ name: 'PATH', value: '/opt/bin', secret: false }, { name: 'TOKEN', value: 's', secret: true }] }),
      '/c',
      '/h',
    );
    expect(spec.env).toEqual({ PATH: '/opt/bin', TOKEN: 's', HOME: '/h' });
  });
});

describe('secretValues', () => {
  it('lists non-empty secret values only', () => {
    expect(
      secretValues(
        job({
          env: [
            { name: 'A', value: 'x', secret: true },
            { name: 'B', value: 'y', secret: false },
            { name: 'C', value: '', secret: true },
          ],
        }),
      ),
    ).toEqual(['x']);
  });
});
