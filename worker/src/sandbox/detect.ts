/**
 * What this host can run, checked once at agent start by actually running each sandbox:
 * a `bwrap` binary that cannot create namespaces (no unprivileged user namespaces, seccomp
 * in a container) or a docker CLI without an engine does not count.
 */
import os from 'node:os';
import type { SandboxKind } from '../runner/sandbox.types';
import { buildBwrapArgs } from './bwrap-args.builder';
import { runHostCommand, whichCommand, type HostCommandRunner } from './host-command';

export interface NamespaceToolPaths {
  bwrapPath: string;
  prlimitPath: string;
  setprivPath: string;
  shPath: string;
  /** bwrap ≥ 0.8 can forbid nested user namespaces (Ubuntu 22.04 ships 0.6) */
  disableUserns: boolean;
}

export type NamespaceTools = { ok: true; paths: NamespaceToolPaths } | { ok: false; reason: string };

/** A uid no one uses, to check that bwrap works after the switch the agent makes as root. */
const PROBE_UID = 65_534;

/**
 * Finds bwrap, prlimit, setpriv and sh, and runs bwrap with the namespaces the sandbox uses
 * (as an unprivileged uid when the agent is root, as jobs will run).
 */
export async function detectNamespaceTools(
  run: HostCommandRunner = runHostCommand,
  bwrapName = 'bwrap',
): Promise<NamespaceTools> {
  const found = await Promise.all([bwrapName, 'prlimit', 'setpriv', 'sh'].map((n) => whichCommand(n, `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin`)));
  const [bwrapPath, prlimitPath, setprivPath, shPath] = found;
  if (!bwrapPath) return { ok: false, reason: `${bwrapName} not found (Debian/Ubuntu: apt-get install bubblewrap)` };
  if (!prlimitPath || !setprivPath) return { ok: false, reason: 'prlimit/setpriv not found (package util-linux)' };
  if (!shPath) return { ok: false, reason: 'sh not found' };
  const asRoot = process.getuid?.() === 0;
  const help = await run(bwrapPath, ['--help'], 10_000);
  const disableUserns = help.stdout.includes('--disable-userns');
  // The sandbox's own command line (not a copy of it), so the probe checks exactly the
  // isolation jobs will get; the temp dir stands in for a job's work dir.
  const probe = [
    ...(asRoot ? [setprivPath, `--reuid=${PROBE_UID}`, `--regid=${PROBE_UID}`, '--clear-groups', '--'] : []),
    bwrapPath,
    ...buildBwrapArgs({ file: shPath, args: ['-c', 'exit 0'], workDir: os.tmpdir(), cwd: '/', tmpfsBytes: null, disableUserns }),
  ];
  const res = await run(probe[0]!, probe.slice(1), 10_000);
  if (!res.ok) {
    return { ok: false, reason: `bwrap cannot create namespaces here: ${res.stderr.trim() || `exit ${res.exitCode}`}` };
  }
  return { ok: true, paths: { bwrapPath, prlimitPath, setprivPath, shPath, disableUserns } };
}

export type DockerDetection = { ok: true; dockerPath: string } | { ok: false; reason: string };

/** The docker CLI and an engine that answers `docker info`. */
export async function detectDocker(run: HostCommandRunner = runHostCommand, dockerName = 'docker'): Promise<DockerDetection> {
  const dockerPath = await whichCommand(dockerName);
  if (!dockerPath) return { ok: false, reason: 'docker CLI not found' };
  const res = await run(dockerPath, ['info', '--format', '{{.ServerVersion}}'], 15_000);
  if (!res.ok) return { ok: false, reason: `docker info failed: ${res.stderr.trim().split('\n')[0] ?? `exit ${res.exitCode}`}` };
  return { ok: true, dockerPath };
}

export interface SandboxDetection {
  kinds: SandboxKind[];
  namespace: NamespaceTools;
  docker: DockerDetection;
}

/** NONE always; NAMESPACE when bwrap works; DOCKER when `docker info` succeeds. */
export async function detectSandboxes(run: HostCommandRunner = runHostCommand): Promise<SandboxDetection> {
  const [namespace, docker] = await Promise.all([detectNamespaceTools(run), detectDocker(run)]);
  const kinds: SandboxKind[] = ['NONE'];
  if (namespace.ok) kinds.push('NAMESPACE');
  if (docker.ok) kinds.push('DOCKER');
  return { kinds, namespace, docker };
}
