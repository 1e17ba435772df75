/**
 * Which sandbox a job runs in. The agent has a default kind; a job may ask for a kind but
 * only one at least as strong as the default (it may narrow, never widen), and only one the
 * host can run. Pure rules, no I/O.
 */
import { SandboxError, type SandboxKind } from '../runner/sandbox.types';

export const SANDBOX_KINDS: readonly SandboxKind[] = ['NONE', 'NAMESPACE', 'DOCKER'];

/**
 * Partial order of isolation: NONE < NAMESPACE and NONE < DOCKER. NAMESPACE and DOCKER are
 * not comparable (each isolates things the other does not), so neither replaces the other.
 */
export function isAtLeastAsStrong(candidate: SandboxKind, base: SandboxKind): boolean {
  return candidate === base || base === 'NONE';
}

/** Maps the CLI's lower-case spelling (`none|namespace|docker`) to a kind. */
export function parseSandboxKind(raw: unknown): SandboxKind {
  const kind = String(raw ?? '').trim().toUpperCase();
  if ((SANDBOX_KINDS as readonly string[]).includes(kind)) return kind as SandboxKind;
  throw new SandboxError(`unknown sandbox "${String(raw)}": expected none, namespace or docker`);
}

/**
 * The kind a job runs in.
 * @param defaultKind the agent's `--sandbox`
 * @param available kinds this host can run (detected at start)
 * @param requested the job's `sandbox` (null: the default)
 * @throws SandboxError when the request would weaken the default or the host cannot run it
 */
export function chooseSandboxKind(
  defaultKind: SandboxKind,
  available: readonly SandboxKind[],
  requested: SandboxKind | null | undefined,
): SandboxKind {
  const kind = requested ?? defaultKind;
  if (!isAtLeastAsStrong(kind, defaultKind)) {
    throw new SandboxError(
      `sandbox ${kind} requested, but this worker runs every job in at least ${defaultKind}; a job may only narrow the sandbox`,
    );
  }
  if (!available.includes(kind)) {
    throw new SandboxError(
      `sandbox ${kind} requested, but this worker cannot run it (available: ${available.join(', ')})`,
    );
  }
  return kind;
}
