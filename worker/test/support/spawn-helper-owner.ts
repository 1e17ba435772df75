/**
 * An owner of a spawn helper with no guardian, as a process of its own (run by run-ts.js):
 * starts two jobs whose processes carry the marker (argv[2]) in their command lines, each
 * with children and a grandchild, prints "started" and waits to be killed.
 */
import pino from 'pino';
import { ProcessGroup } from '../../src/runner/process-group';
import { SpawnHelper } from '../../src/runner/spawn-helper';

export async function main(argv: string[]): Promise<number> {
  const marker = argv[2]!;
  const helper = await SpawnHelper.start({ logger: pino({ level: 'silent' }) });
  if (!helper) return 1;
  for (let i = 0; i < 2; i++) {
    const p = await ProcessGroup.start(
      { file: '/bin/sh', args: ['-c', `sleep ${marker} & (sleep ${marker} & wait) & sleep ${marker}`], env: { PATH: '/usr/bin:/bin' }, cwd: '/' },
      undefined,
      helper,
    );
    p.stdout.resume();
    p.stderr.resume();
  }
  process.stdout.write('started\n');
  await new Promise(() => setInterval(() => undefined, 60_000));
  return 0;
}
