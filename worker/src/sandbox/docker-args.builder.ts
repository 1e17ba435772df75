/**
 * The `docker run` command line of a docker-sandboxed job. Pure, pinned by unit tests.
 */
import { SandboxError } from '../runner/sandbox.types';
import type { ResourceLimits } from './limits.policy';
import { CPU_HARD_GRACE_SECONDS, MIB } from './prlimit-args.builder';

export const LABEL_AGENT = 'cmd-executor.agent';
export const LABEL_JOB = 'cmd-executor.job';

export interface DockerRunInput {
  /** container name, see {@link containerName} */
  name: string;
  agentId: string;
  /** `jobId/attempt` */
  jobKey: string;
  image: string;
  limits: ResourceLimits;
  /** CPU bandwidth (`--cpus`), null: unlimited */
  cpus: number | null;
  uid: number;
  gid: number;
  /** host dir mounted read-write at the same path */
  workDir: string;
  cwd: string;
  /** `--env-file` with the job's variables (values never on the command line); null: none */
  envFile: string | null;
  file: string;
  args: readonly string[];
}

/**
 * A docker container name for a job: `cmdx-<agent>-<jobId>-<attempt>`, restricted to what
 * docker accepts (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`).
 */
export function containerName(agentId: string, jobKey: string): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9_.-]+/g, '_');
  return `cmdx-${clean(agentId)}-${clean(jobKey.replace('/', '-'))}`.slice(0, 200);
}

/** Arguments after `docker`: `run … <image> <file> <args…>`. */
export function buildDockerRunArgs(input: DockerRunInput): string[] {
  const { limits } = input;
  const argv: string[] = [
    'run',
    '--rm',
    // The job is never PID 1: PID 1 ignores every signal it has no handler for, so a plain
    // command would sit out docker stop's SIGTERM and survive SIGXFSZ/SIGXCPU at its limits.
    '--init',
    '--name',
    input.name,
    '--label',
    `${LABEL_AGENT}=${input.agentId}`,
    '--label',
    `${LABEL_JOB}=${input.jobKey}`,
    '--network',
    'none',
    '--read-only',
    '--tmpfs',
    limits.memoryMb === null ? '/tmp:rw,nosuid,nodev' : `/tmp:rw,nosuid,nodev,size=${limits.memoryMb}m`,
  ];
  if (limits.pids !== null) argv.push('--pids-limit', String(limits.pids));
  if (limits.memoryMb !== null) {
    // equal --memory-swap: no swap on top of the limit
    argv.push('--memory', `${limits.memoryMb}m`, '--memory-swap', `${limits.memoryMb}m`);
  }
  if (input.cpus !== null) argv.push('--cpus', String(input.cpus));
  if (limits.cpuSeconds !== null) {
    argv.push('--ulimit', `cpu=${limits.cpuSeconds}:${limits.cpuSeconds + CPU_HARD_GRACE_SECONDS}`);
  }
  if (limits.fileSizeMb !== null) {
    const bytes = limits.fileSizeMb * MIB;
    argv.push('--ulimit', `fsize=${bytes}:${bytes}`);
  }
  argv.push(
    '--ulimit',
    'core=0',
    '--user',
    `${input.uid}:${input.gid}`,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--volume',
    `${input.workDir}:${input.workDir}`,
    '--workdir',
    input.cwd,
  );
  if (input.envFile !== null) argv.push('--env-file', input.envFile);
  argv.push(input.image, input.file, ...input.args);
  return argv;
}

/** `docker stop -t <grace> <name>` */
export function buildDockerStopArgs(name: string, graceSeconds: number): string[] {
  return ['stop', '--time', String(graceSeconds), name];
}

/** `docker ps -aq --filter label=cmd-executor.agent=<id>`: containers a crashed agent left. */
export function buildLeftoverListArgs(agentId: string): string[] {
  return ['ps', '--all', '--quiet', '--filter', `label=${LABEL_AGENT}=${agentId}`];
}

/**
 * The job's variables as a docker env file (`NAME=VALUE` lines, taken literally). The format
 * has no way to write a newline inside a value, so such a variable is refused.
 */
export function buildDockerEnvFile(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => {
      if (/[\r\n]/.test(value)) {
        throw new SandboxError(`variable ${name} has a line break in its value, which the docker sandbox cannot pass`);
      }
      return `${name}=${value}\n`;
    })
    .join('');
}
