import type { RunnableJob, SpawnSpec } from './sandbox.types';

export type { SpawnSpec } from './sandbox.types';

/** PATH for jobs that bring none; the agent's own PATH is not passed on. */
export const DEFAULT_JOB_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The plain (unsandboxed) command line of a job: `/bin/sh -c command`, or `command args`
 * without a shell. The environment is the job's own variables only — nothing of the
 * agent's (its token, its cloud credentials) — plus PATH and HOME when the job sets none.
 */
export function buildSpawnSpec(job: RunnableJob, cwd: string, home: string): SpawnSpec {
  const env: Record<string, string> = {};
  for (const v of job.env) env[v.name] = v.value;
  env.PATH ??= DEFAULT_JOB_PATH;
  env.HOME ??= home;
  if (job.args) return { file: job.command, args: [...job.args], env, cwd };
  return { file: '/bin/sh', args: ['-c', job.command], env, cwd };
}

/** Values to mask in the job's output. */
export function secretValues(job: RunnableJob): string[] {
  return job.env.filter((v) => v.secret && v.value.length > 0).map((v) => v.value);
}
