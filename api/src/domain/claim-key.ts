import { SandboxKind } from './enums';

/**
 * A job's claim key: what decides which workers may run it — its requirements as a set and its
 * sandbox kind — as one stored string. The claim's index leads with status and this key, so a
 * worker's claim reads only the kinds of job it can run, in queue order, however many jobs it
 * cannot run are queued ahead of them.
 */
export interface ClaimFacts {
  requirements: string[];
  sandbox: SandboxKind | null;
}

export function claimKeyOf(job: { requirements?: readonly string[] | null; sandbox?: SandboxKind | null }): string {
  return JSON.stringify([[...new Set(job.requirements ?? [])].sort(), job.sandbox ?? null]);
}

/** The facts a key was made from; null for a string that is not a claim key. */
export function claimFactsOf(key: string): ClaimFacts | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [requirements, sandbox] = parsed as [unknown, unknown];
  if (!Array.isArray(requirements) || !requirements.every((r) => typeof r === 'string')) return null;
  if (sandbox !== null && !Object.values(SandboxKind).includes(sandbox as SandboxKind)) return null;
  return { requirements: requirements as string[], sandbox: sandbox as SandboxKind | null };
}
