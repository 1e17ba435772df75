/**
 * The bubblewrap command line of a namespace-sandboxed job. Pure: the same input always
 * gives the same argv, so the isolation flags are pinned by unit tests.
 */

export interface BwrapArgsInput {
  /** program and arguments to run inside */
  file: string;
  args: readonly string[];
  /** host directory mounted writable at the same path (the job's private work dir) */
  workDir: string;
  /** working directory inside the sandbox */
  cwd: string;
  /** size cap of the private /tmp and /dev/shm tmpfs, in bytes (null: the kernel default, half of RAM) */
  tmpfsBytes: number | null;
  /** descriptor bwrap writes its JSON info (child pid, namespace ids) to */
  infoFd?: number;
  /** descriptor bwrap reads more arguments from (the environment, see {@link buildBwrapEnvArgs}) */
  argsFd?: number;
  hostname?: string;
  /** forbid nested user namespaces (bwrap ≥ 0.8); default true */
  disableUserns?: boolean;
}

/**
 * Flags for `bwrap`, ending in `-- file args…`.
 *
 * The job's environment is not on this command line (every host user can read
 * /proc/<pid>/cmdline, and it would carry the job's secrets); it comes through `argsFd`.
 */
export function buildBwrapArgs(input: BwrapArgsInput): string[] {
  const argv: string[] = [
    ...(input.argsFd === undefined ? [] : ['--args', String(input.argsFd)]),
    // A user namespace makes the other namespaces possible without privileges and maps
    // only the caller's uid; --disable-userns stops the job from nesting another one.
    '--unshare-user',
    ...(input.disableUserns === false ? [] : ['--disable-userns']),
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    input.hostname ?? 'sandbox',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...sized(input.tmpfsBytes),
    '--tmpfs',
    '/tmp',
    ...sized(input.tmpfsBytes),
    '--tmpfs',
    '/dev/shm',
    '--bind',
    input.workDir,
    input.workDir,
    '--chdir',
    input.cwd,
    '--die-with-parent',
    '--new-session',
  ];
  if (input.infoFd !== undefined) argv.push('--info-fd', String(input.infoFd));
  argv.push('--', input.file, ...input.args);
  return argv;
}

function sized(bytes: number | null): string[] {
  return bytes === null ? [] : ['--size', String(bytes)];
}

/**
 * The job's environment as bwrap arguments for `--args FD` (NUL-separated): cleared, then
 * exactly the job's variables. Passing them this way rather than as bwrap's own environment
 * keeps them away from the programs that set the sandbox up (`prlimit`, `setpriv`, `bwrap`,
 * run as root when the agent is): a job's `LD_PRELOAD` must only ever reach the job.
 */
export function buildBwrapEnvArgs(env: Readonly<Record<string, string>>): string {
  const args = ['--clearenv'];
  for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value);
  return `${args.join('\0')}\0`;
}
