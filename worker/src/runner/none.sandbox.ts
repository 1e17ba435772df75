import { SandboxError, type RunnableJob, type Sandbox, type SandboxProvider, type SpawnSpec, type WrappedSpawn } from './sandbox.types';

/** No isolation: the plain process group (its own env and cwd are all it gets). */
export class NoneSandbox implements Sandbox {
  readonly kind = 'NONE' as const;

  async wrap(spec: SpawnSpec): Promise<WrappedSpawn> {
    return { spec };
  }
}

/** The provider of an agent started with `--sandbox none` and no sandbox module. */
export function createNoneProvider(): SandboxProvider {
  const sandbox = new NoneSandbox();
  return {
    kinds: ['NONE'],
    defaultKind: 'NONE',
    select(job: RunnableJob): Sandbox {
      if (job.sandbox && job.sandbox !== 'NONE') {
        throw new SandboxError(`this worker cannot run sandbox ${job.sandbox} (it offers NONE)`);
      }
      return sandbox;
    },
  };
}
