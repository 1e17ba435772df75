import { BadUserInputError } from '../errors';
import { SandboxKind } from './enums';
import { validateLabels } from './label.rules';

/** Limits on what a user may submit. Each refusal names the input field it is about. */
export const JOB_LIMITS = {
  commandBytes: 64 * 1024,
  argsCount: 1024,
  envCount: 128,
  envBytes: 64 * 1024,
  requirements: 16,
  priority: { min: -100, max: 100 },
  timeoutSeconds: { min: 1, max: 604_800 },
  maxAttempts: { min: 1, max: 10 },
  cwdBytes: 4096,
  idempotencyKeyLength: 256,
  imageLength: 512,
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvVarData {
  name: string;
  value: string;
  secret?: boolean | null;
}

export interface JobLimitsData {
  memoryMb?: number | null;
  pids?: number | null;
  cpuSeconds?: number | null;
  fileSizeMb?: number | null;
}

export interface CreateJobData {
  command: string;
  args?: string[] | null;
  env?: EnvVarData[] | null;
  cwd?: string | null;
  requirements?: string[] | null;
  priority?: number | null;
  timeoutSeconds?: number | null;
  maxAttempts?: number | null;
  idempotencyKey?: string | null;
  sandbox?: SandboxKind | null;
  image?: string | null;
  limits?: JobLimitsData | null;
}

/** What gets stored: defaults applied, nulls dropped. */
export interface ValidJob {
  command: string;
  args?: string[];
  env: Array<{ name: string; value: string; secret: boolean }>;
  cwd?: string;
  requirements: string[];
  priority: number;
  timeoutSeconds?: number;
  maxAttempts: number;
  idempotencyKey?: string;
  sandbox?: SandboxKind;
  image?: string;
  limits?: { memoryMb?: number; pids?: number; cpuSeconds?: number; fileSizeMb?: number };
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function noNul(value: string, field: string): void {
  if (value.includes('\0')) throw new BadUserInputError(field, 'must not contain NUL bytes');
}

function intIn(value: number | null | undefined, field: string, range: { min: number; max: number }): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new BadUserInputError(field, `must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

export function validateCreateJob(input: CreateJobData, prefix = 'input'): ValidJob {
  const f = (name: string): string => `${prefix}.${name}`;

  if (typeof input.command !== 'string' || input.command.trim() === '') {
    throw new BadUserInputError(f('command'), 'command must not be blank');
  }
  noNul(input.command, f('command'));
  let commandBytes = bytes(input.command);
  if (commandBytes > JOB_LIMITS.commandBytes) {
    throw new BadUserInputError(f('command'), `command must be at most ${JOB_LIMITS.commandBytes} bytes`);
  }

  let args: string[] | undefined;
  if (input.args) {
    if (input.args.length > JOB_LIMITS.argsCount) {
      throw new BadUserInputError(f('args'), `at most ${JOB_LIMITS.argsCount} args`);
    }
    input.args.forEach((a, i) => noNul(a, `${f('args')}[${i}]`));
    // The whole command line counts against one limit (it ends up in one exec).
    commandBytes += input.args.reduce((n, a) => n + bytes(a), 0);
    if (commandBytes > JOB_LIMITS.commandBytes) {
      throw new BadUserInputError(f('args'), `command and args together must be at most ${JOB_LIMITS.commandBytes} bytes`);
    }
    args = [...input.args];
  }

  const envIn = input.env ?? [];
  if (envIn.length > JOB_LIMITS.envCount) {
    throw new BadUserInputError(f('env'), `at most ${JOB_LIMITS.envCount} environment variables`);
  }
  const seen = new Set<string>();
  let envBytes = 0;
  const env = envIn.map((v, i) => {
    const at = `${f('env')}[${i}]`;
    noNul(v.name, `${at}.name`);
    noNul(v.value, `${at}.value`);
    if (!ENV_NAME.test(v.name)) throw new BadUserInputError(`${at}.name`, 'must match [A-Za-z_][A-Za-z0-9_]*');
    if (seen.has(v.name)) throw new BadUserInputError(`${at}.name`, `duplicate variable ${v.name}`);
    seen.add(v.name);
    envBytes += bytes(v.name) + bytes(v.value);
    return { name: v.name, value: v.value, secret: v.secret === true };
  });
  if (envBytes > JOB_LIMITS.envBytes) {
    throw new BadUserInputError(f('env'), `environment must total at most ${JOB_LIMITS.envBytes} bytes`);
  }

  let cwd: string | undefined;
  if (input.cwd !== null && input.cwd !== undefined) {
    noNul(input.cwd, f('cwd'));
    if (input.cwd === '' || bytes(input.cwd) > JOB_LIMITS.cwdBytes) {
      throw new BadUserInputError(f('cwd'), `cwd must be 1 to ${JOB_LIMITS.cwdBytes} bytes`);
    }
    cwd = input.cwd;
  }

  (input.requirements ?? []).forEach((r, i) => noNul(r, `${f('requirements')}[${i}]`));
  const requirements = validateLabels(input.requirements, f('requirements'), JOB_LIMITS.requirements);

  let idempotencyKey: string | undefined;
  if (input.idempotencyKey !== null && input.idempotencyKey !== undefined) {
    noNul(input.idempotencyKey, f('idempotencyKey'));
    if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > JOB_LIMITS.idempotencyKeyLength) {
      throw new BadUserInputError(f('idempotencyKey'), `must be 1 to ${JOB_LIMITS.idempotencyKeyLength} characters`);
    }
    idempotencyKey = input.idempotencyKey;
  }

  let image: string | undefined;
  if (input.image !== null && input.image !== undefined) {
    noNul(input.image, f('image'));
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:/@-]*$/.test(input.image) || input.image.length > JOB_LIMITS.imageLength) {
      throw new BadUserInputError(f('image'), 'not a valid image reference');
    }
    image = input.image;
  }
  const sandbox = input.sandbox ?? undefined;
  if (image && sandbox !== SandboxKind.DOCKER) {
    throw new BadUserInputError(f('image'), 'image applies only to sandbox DOCKER');
  }

  let limits: ValidJob['limits'];
  if (input.limits) {
    limits = {};
    for (const key of ['memoryMb', 'pids', 'cpuSeconds', 'fileSizeMb'] as const) {
      const v = intIn(input.limits[key], `${f('limits')}.${key}`, { min: 1, max: 1_048_576 });
      if (v !== undefined) limits[key] = v;
    }
  }

  return {
    command: input.command,
    args,
    env,
    cwd,
    requirements,
    priority: intIn(input.priority, f('priority'), JOB_LIMITS.priority) ?? 0,
    timeoutSeconds: intIn(input.timeoutSeconds, f('timeoutSeconds'), JOB_LIMITS.timeoutSeconds),
    maxAttempts: intIn(input.maxAttempts, f('maxAttempts'), JOB_LIMITS.maxAttempts) ?? 1,
    idempotencyKey,
    sandbox,
    image,
    limits,
  };
}
