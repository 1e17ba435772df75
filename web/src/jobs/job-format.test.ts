import type { JobStatus } from '../gql/graphql';
import { commandLine, formatAgo, formatBytes, formatDuration, isTerminal, jobDuration, newerJob } from './job-format';

describe('job formatting', () => {
  it('shows a command with arguments as its words, quoted for the shell where they need it', () => {
    expect(commandLine({ command: 'echo hi; sleep 1', args: null })).toBe('echo hi; sleep 1');
    expect(commandLine({ command: 'yes', args: ['abc'] })).toBe('yes abc');
    expect(commandLine({ command: 'python3', args: ['train.py', '--epochs=3', 'two words', "it's", ''] })).toBe(`python3 train.py --epochs=3 'two words' 'it'\\''s' ''`);
    expect(commandLine({ command: 'true', args: [] })).toBe('true');
  });

  it('keeps the later of two snapshots of a job', () => {
    type Snap = { id: string; attempt: number; status: JobStatus; cancelRequestedAt?: string };
    const queued: Snap = { id: 'a', attempt: 1, status: 'QUEUED' };
    const running: Snap = { id: 'a', attempt: 1, status: 'RUNNING' };
    const done: Snap = { id: 'a', attempt: 1, status: 'SUCCEEDED' };
    const retried: Snap = { id: 'a', attempt: 2, status: 'QUEUED' };
    expect(newerJob(running, queued)).toBe(running);
    expect(newerJob(queued, running)).toBe(running);
    expect(newerJob(done, running)).toBe(done);
    expect(newerJob(done, retried)).toBe(retried);
    // same version: the second (the later arrival) wins
    const again = { ...running };
    expect(newerJob(running, again)).toBe(again);
    // a cancel request is news even before the status moves
    const cancelRequested = { ...running, cancelRequestedAt: '2026-01-01T00:00:00Z' };
    expect(newerJob(cancelRequested, running)).toBe(cancelRequested);
  });

  it('formats durations, ages and sizes', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(2500)).toBe('2.5 s');
    expect(formatDuration(125_000)).toBe('2m 5s');
    expect(formatDuration(3_723_000)).toBe('1h 2m');
    expect(formatDuration(-1)).toBe('—');
    expect(jobDuration({ startedAt: null }, 0)).toBe('—');
    expect(jobDuration({ startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:03Z' }, 0)).toBe('3.0 s');
    expect(jobDuration({ startedAt: '2026-01-01T00:00:00Z' }, Date.parse('2026-01-01T00:01:00Z'))).toBe('1m 0s');
    expect(formatAgo('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:07Z'))).toBe('7s ago');
    expect(formatAgo(null, 0)).toBe('never');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20.0 MiB');
  });

  it('knows the terminal statuses', () => {
    expect(['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'].every((s) => isTerminal(s as never))).toBe(true);
    expect(['QUEUED', 'ASSIGNED', 'RUNNING'].some((s) => isTerminal(s as never))).toBe(false);
  });
});
