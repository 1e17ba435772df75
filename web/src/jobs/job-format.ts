import type { JobStatus } from '../gql/graphql';

export const JOB_STATUSES: readonly JobStatus[] = [
  'QUEUED',
  'ASSIGNED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'TIMED_OUT',
];

const TERMINAL = new Set<JobStatus>(['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT']);

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

const RANK: Record<JobStatus, number> = {
  QUEUED: 0,
  ASSIGNED: 1,
  RUNNING: 2,
  SUCCEEDED: 3,
  FAILED: 3,
  CANCELED: 3,
  TIMED_OUT: 3,
};

/**
 * Which of two snapshots of a job is later: a query result can be older than a live
 * update that arrived before it. A retry raises the attempt, so attempt counts first.
 */
export function jobVersion(job: { attempt: number; status: JobStatus; cancelRequestedAt?: string | null }): number {
  return job.attempt * 10 + RANK[job.status] + (job.cancelRequestedAt && !isTerminal(job.status) ? 0.5 : 0);
}

export function newerJob<T extends { attempt: number; status: JobStatus; cancelRequestedAt?: string | null }>(a: T, b: T): T {
  return jobVersion(b) >= jobVersion(a) ? b : a;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 1) return `${ms} ms`;
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

export function jobDuration(job: { startedAt?: string | null; finishedAt?: string | null }, now: number): string {
  if (!job.startedAt) return '—';
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return formatDuration(end - Date.parse(job.startedAt));
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The command as a person would type it: a shell string (no `args`) as it is; a command with
 * arguments (run without a shell) as its words, each quoted for /bin/sh where it needs it, so
 * `yes` with the argument `two words` reads `yes 'two words'` and not `yes`.
 */
export function commandLine(job: { command: string; args?: readonly string[] | null }): string {
  if (!job.args) return job.command;
  return [job.command, ...job.args].map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
