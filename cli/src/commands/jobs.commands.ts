import { Option, type Command } from 'commander';
import { CancelJobDocument, JobDocument, JobsDocument, RetryJobDocument } from '../api/operations';
import { CliError } from '../errors';
import type { CliJobFieldsFragment, JobStatus } from '../gql/graphql';
import { connect } from './connection';
import { example, intIn, table, withServer } from './options';

const STATUSES = ['QUEUED', 'ASSIGNED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'];

function commandLine(job: Pick<CliJobFieldsFragment, 'command' | 'args'>): string {
  if (!job.args) return job.command;
  return [job.command, ...job.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function exitCell(job: CliJobFieldsFragment): string {
  if (job.exitCode !== null) return String(job.exitCode);
  return job.signal ?? '';
}

export function registerJobCommands(program: Command, setExit: (code: number) => void): void {
  const jobs = program
    .command('jobs')
    .description('list jobs, newest first (yours; an admin sees everyone’s)')
    .addOption(new Option('--status <status>', 'only jobs in this state (repeatable)').choices(STATUSES).argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v.toUpperCase()]))
    .option('--limit <n>', 'how many (1..100)', intIn('--limit', 1, 100), 20)
    .option('--json', 'the jobs as a JSON array');
  withServer(jobs);
  example(jobs, 'cmd-executor jobs --status RUNNING --status QUEUED', 'cmd-executor jobs --limit 100 --json | jq -r ".[].id"');
  jobs.action(async (opts: { status?: string[]; limit: number; json?: boolean; server?: string }) => {
    const { api } = connect(opts.server);
    const r = await api.request(JobsDocument, { status: opts.status as JobStatus[] | undefined, first: opts.limit });
    const list = r.jobs.edges.map((e) => e.node);
    if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    else {
      process.stdout.write(
        table(
          ['ID', 'STATUS', 'EXIT', 'ATTEMPT', 'QUEUED', 'WORKER', 'COMMAND'],
          list.map((j) => [j.id, j.status, exitCell(j), `${j.attempt}/${j.maxAttempts}`, j.queuedAt.replace(/\.\d+Z$/, 'Z'), j.worker?.name ?? '', oneLine(commandLine(j))]),
        ),
      );
    }
    setExit(0);
  });

  const show = program.command('show').description('one job in detail').argument('<job-id>').option('--json', 'as JSON');
  withServer(show);
  example(show, 'cmd-executor show 6650b3c1e4a8f2a1d9c0ffee');
  show.action(async (id: string, opts: { json?: boolean; server?: string }) => {
    const { api } = connect(opts.server);
    const { job } = await api.request(JobDocument, { id });
    if (!job) throw new CliError(`job ${id} not found`, 'NOT_FOUND');
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      setExit(0);
      return;
    }
    const rows: Array<[string, string | number | null | undefined]> = [
      ['id', job.id],
      ['status', job.status],
      ['command', commandLine(job)],
      ['shell', job.args ? 'no (exec)' : '/bin/sh -c'],
      ['exit code', job.exitCode],
      ['signal', job.signal],
      ['error', job.error],
      ['attempt', `${job.attempt} of ${job.maxAttempts}`],
      ['requirements', job.requirements.join(', ') || '(none)'],
      ['priority', job.priority],
      ['timeout', job.timeoutSeconds === null ? null : `${job.timeoutSeconds} s`],
      ['sandbox', job.sandbox?.toLowerCase()],
      ['image', job.image],
      ['env', job.env.map((v) => (v.secret ? `${v.name}=(secret)` : `${v.name}=${v.value ?? ''}`)).join(' ') || null],
      ['worker', job.worker?.name],
      ['created by', job.createdBy?.username ?? '(user no longer exists)'],
      ['queued', job.queuedAt],
      ['started', job.startedAt],
      ['finished', job.finishedAt],
      ['cancel requested', job.cancelRequestedAt],
      ['log bytes', `${job.logBytes}${job.logTruncated ? ' (truncated)' : ''}`],
    ];
    const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
    const width = Math.max(...shown.map(([k]) => k.length));
    process.stdout.write(shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${String(v)}`).join('\n') + '\n');
    setExit(0);
  });

  const cancel = program.command('cancel').description('cancel a job (a running one is stopped by its worker: SIGTERM, grace, SIGKILL)').argument('<job-id>');
  withServer(cancel);
  example(cancel, 'cmd-executor cancel 6650b3c1e4a8f2a1d9c0ffee');
  cancel.action(async (id: string, opts: { server?: string }) => {
    const { api } = connect(opts.server);
    const { cancelJob } = await api.request(CancelJobDocument, { id });
    process.stdout.write(`${cancelJob.id} ${cancelJob.status}${cancelJob.status === 'CANCELED' ? '' : ' (cancel requested)'}\n`);
    setExit(0);
  });

  const retry = program.command('retry').description('queue a finished job again as its next attempt').argument('<job-id>');
  withServer(retry);
  example(retry, 'cmd-executor retry 6650b3c1e4a8f2a1d9c0ffee && cmd-executor logs -f 6650b3c1e4a8f2a1d9c0ffee');
  retry.action(async (id: string, opts: { server?: string }) => {
    const { api } = connect(opts.server);
    const { retryJob } = await api.request(RetryJobDocument, { id });
    process.stdout.write(`${retryJob.id} ${retryJob.status} attempt ${retryJob.attempt}\n`);
    setExit(0);
  });
}
