import type { CliJobFieldsFragment } from '../gql/graphql';
import type { FollowSink, LogChunk } from './job-follower';

export interface OutputOptions {
  /** one JSON object per event on stdout instead of the job's own bytes */
  json: boolean;
  /** platform lines (SYSTEM, waiting, reconnecting) on stderr: --verbose, or stderr is a terminal */
  showPlatform: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/**
 * Writes what a follower delivers: the job's stdout to stdout and its stderr to stderr,
 * unchanged; platform lines only to stderr and only when asked for; or JSON events.
 */
export class OutputSink implements FollowSink {
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;
  private lastStatus: string | undefined;
  private onJob: ((job: CliJobFieldsFragment) => void) | undefined;

  constructor(private readonly options: OutputOptions) {
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
  }

  /** Called for every job state event (after it is written). */
  onJobEvent(listener: (job: CliJobFieldsFragment) => void): void {
    this.onJob = listener;
  }

  log(chunk: LogChunk): void {
    if (this.options.json) {
      this.event({ event: 'log', attempt: chunk.attempt, seq: chunk.seq, stream: chunk.stream, data: chunk.data });
      return;
    }
    if (chunk.stream === 'STDOUT') this.stdout.write(chunk.data);
    else if (chunk.stream === 'STDERR') this.stderr.write(chunk.data);
    else if (this.options.showPlatform) this.platform(chunk.data.replace(/\n$/, ''));
  }

  job(job: CliJobFieldsFragment): void {
    if (this.options.json) this.event({ event: 'job', job });
    else if (job.status !== this.lastStatus && job.status !== 'QUEUED' && this.lastStatus !== undefined && this.options.showPlatform) {
      this.platform(describeStatus(job));
    }
    this.lastStatus = job.status;
    this.onJob?.(job);
  }

  reconnecting(reason: string): void {
    if (this.options.json) this.event({ event: 'reconnecting', reason });
    else if (this.options.showPlatform) this.platform(`connection lost (${reason}); reconnecting`);
  }

  /** One line for people on stderr ("cmd-executor: …"), shown only when platform lines are. */
  platform(line: string): void {
    if (this.options.showPlatform && !this.options.json) this.stderr.write(`cmd-executor: ${line}\n`);
  }

  event(value: Record<string, unknown>): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }
}

export function describeStatus(job: CliJobFieldsFragment): string {
  const parts = [`job ${job.id} ${job.status}`];
  if (job.status === 'ASSIGNED' || job.status === 'RUNNING') {
    if (job.worker) parts.push(`on ${job.worker.name}`);
    if (job.maxAttempts > 1) parts.push(`(attempt ${job.attempt}/${job.maxAttempts})`);
  }
  if (job.exitCode !== null) parts.push(`exit ${job.exitCode}`);
  if (job.signal) parts.push(`signal ${job.signal}`);
  if (job.error) parts.push(`: ${job.error}`);
  return parts.join(' ');
}
