import { randomUUID } from 'node:crypto';
import { CliError } from '../errors';
import type { CreateJobInput, SandboxKind } from '../gql/graphql';
import type { Env } from '../config/credentials.store';

export interface RunOptions {
  label: string[];
  env: string[];
  secretEnv: string[];
  timeout?: number;
  priority?: number;
  maxAttempts?: number;
  sandbox?: string;
  image?: string;
  cwd?: string;
  idempotencyKey?: string;
}

/**
 * `run "shell string"` runs through /bin/sh -c; `run -- COMMAND ARGS…` runs COMMAND itself with
 * those arguments (no shell). Anything else is ambiguous and refused.
 */
export function commandOf(operands: readonly string[], afterDoubleDash: boolean): Pick<CreateJobInput, 'command' | 'args'> {
  if (operands.length === 0) throw new CliError('run: give a command: run "shell string" or run -- COMMAND [ARGS…]');
  if (afterDoubleDash) return { command: operands[0]!, args: operands.slice(1) };
  if (operands.length > 1) {
    throw new CliError(`run: ${operands.length} words without --: quote a shell string (run "${operands.join(' ')}") or put the command after -- (run -- ${operands.join(' ')})`);
  }
  return { command: operands[0]! };
}

/**
 * The job as the API takes it. Secret values come from the CLI's own environment
 * (`--secret-env NAME`), so they never appear in an argument list (ps shows those to
 * everyone). Without --idempotency-key a fresh key is sent, so a createJob retried after a
 * lost answer returns the same job instead of starting it twice.
 */
export function buildJobInput(command: Pick<CreateJobInput, 'command' | 'args'>, opts: RunOptions, env: Env): CreateJobInput {
  const vars: NonNullable<CreateJobInput['env']> = [];
  const seen = new Set<string>();
  const add = (name: string, value: string, secret: boolean, flag: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CliError(`${flag} ${name}: not a variable name`);
    if (seen.has(name)) throw new CliError(`${flag} ${name}: given twice`);
    seen.add(name);
    vars.push(secret ? { name, value, secret: true } : { name, value });
  };
  for (const pair of opts.env) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--env ${pair}: expected NAME=VALUE`);
    add(pair.slice(0, eq), pair.slice(eq + 1), false, '--env');
  }
  for (const name of opts.secretEnv) {
    const value = env[name];
    if (value === undefined) throw new CliError(`--secret-env ${name}: ${name} is not set in this environment`);
    add(name, value, true, '--secret-env');
  }
  const input: CreateJobInput = {
    ...command,
    requirements: [...new Set(opts.label)],
    idempotencyKey: opts.idempotencyKey ?? randomUUID(),
  };
  if (vars.length > 0) input.env = vars;
  if (opts.timeout !== undefined) input.timeoutSeconds = opts.timeout;
  if (opts.priority !== undefined) input.priority = opts.priority;
  if (opts.maxAttempts !== undefined) input.maxAttempts = opts.maxAttempts;
  if (opts.sandbox !== undefined) input.sandbox = opts.sandbox.toUpperCase() as SandboxKind;
  if (opts.image !== undefined) input.image = opts.image;
  if (opts.cwd !== undefined) input.cwd = opts.cwd;
  return input;
}
