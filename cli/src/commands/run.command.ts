import { Option, type Command } from 'commander';
import { CancelJobDocument, CreateJobDocument, WorkersDocument } from '../api/operations';
import { errorMessage } from '../errors';
import { EXIT, exitStatusFor } from '../follow/exit-status';
import { JobFollower } from '../follow/job-follower';
import { OutputSink } from '../follow/output-sink';
import { describeWait } from '../follow/queue-notice';
import type { CliJobFieldsFragment, CreateJobInput } from '../gql/graphql';
import { connect, type Connected } from './connection';
import { buildJobInput, commandOf, type RunOptions } from './job-input';
import { collect, collectList, example, intIn, withServer } from './options';
import { onReaderGone } from '../util/reader-gone';

interface RunCliOptions extends RunOptions {
  server?: string;
  detach?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** After this long in the queue a terminal is told why the job waits. */
const WAIT_NOTICE_MS = 1000;

export function registerRun(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('run')
    .description(
      'submit a command as a job and follow it: its stdout on stdout, its stderr on stderr, its exit status as ours ' +
        '(signal N: 128+N, CANCELED 130, TIMED_OUT 124, no exit code 125; errors of this CLI: 2). ' +
        'Ctrl-C cancels the job and waits for it to end; a second Ctrl-C detaches.',
    )
    .argument('<command...>', 'a shell string in quotes (run by /bin/sh -c), or -- COMMAND [ARGS…] (run without a shell)')
    .option('-l, --label <label>', 'a label the worker must have (repeatable, or comma-separated)', collectList, [])
    .option('-e, --env <NAME=VALUE>', 'an environment variable for the job (repeatable)', collect, [])
    .option('--secret-env <NAME>', 'pass NAME from this environment as a secret variable: its value is never shown nor put in an argument (repeatable)', collect, [])
    .option('--timeout <seconds>', 'stop the job after this long (TIMED_OUT)', intIn('--timeout', 1, 604_800))
    .option('--priority <n>', 'higher runs first, -100..100 (default 0)', intIn('--priority', -100, 100))
    .option('--max-attempts <n>', 'attempts when a worker is lost (1..10, default 1)', intIn('--max-attempts', 1, 10))
    .addOption(new Option('--sandbox <kind>', 'at least this isolation').choices(['none', 'namespace', 'docker']))
    .option('--image <image>', 'docker image (with --sandbox docker)')
    .option('--cwd <dir>', 'working directory on the worker')
    .option('--idempotency-key <key>', 'the same key within 24 h returns the first job instead of a new one')
    .option('--detach', 'print the job id and exit 0 without following')
    .option('--json', 'one JSON object per event on stdout (job states, output chunks, the exit)')
    .option('-v, --verbose', 'platform lines (queue, worker, retries, reconnects) on stderr; the default on a terminal');
  withServer(cmd);
  example(
    cmd,
    'cmd-executor run "make test | tee test.log"',
    'cmd-executor run -l linux -l gpu --timeout 600 -- python3 train.py --epochs 3',
    'API_KEY=… cmd-executor run --secret-env API_KEY -- ./deploy.sh',
  );
  cmd.action(async (operands: string[], opts: RunCliOptions, self: Command) => {
    const input = buildJobInput(commandOf(operands, operandsFollowDoubleDash(self, operands)), opts, process.env);
    setExit(await runJob(connect(opts.server), input, opts));
  });
}

/** Whether the operands were written after `--` (commander does not say). */
function operandsFollowDoubleDash(cmd: Command, operands: readonly string[]): boolean {
  const raw = (cmd.parent as (Command & { rawArgs?: string[] }) | null)?.rawArgs ?? process.argv;
  const runAt = raw.indexOf('run');
  const dash = raw.indexOf('--', runAt + 1);
  return dash >= 0 && raw.length - dash - 1 === operands.length;
}

async function runJob({ api, budget }: Connected, input: CreateJobInput, opts: RunCliOptions): Promise<number> {
  const showPlatform = Boolean(opts.verbose || process.stderr.isTTY);
  const sink = new OutputSink({ json: Boolean(opts.json), showPlatform });
  let jobId: string | undefined;
  let interrupts = 0;
  let follower: JobFollower | undefined;
  let waitTimer: NodeJS.Timeout | undefined;

  const requestCancel = (id: string) => {
    api.request(CancelJobDocument, { id }).catch((err: unknown) => process.stderr.write(`cmd-executor: cancel failed: ${errorMessage(err)}\n`));
  };
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write(jobId ? `canceling job ${jobId}; Ctrl-C again to detach\n` : 'canceling; Ctrl-C again to exit\n');
      if (jobId) requestCancel(jobId);
      return;
    }
    follower?.stop();
    process.stderr.write(jobId ? `detached from job ${jobId}; it continues: cmd-executor logs -f ${jobId}\n` : 'interrupted\n');
    process.exit(EXIT.CANCELED);
  };
  process.on('SIGINT', onSigint);
  // Nobody reads the job's output any more: it ends, as a local command writing into a closed pipe does.
  const forgetReader = onReaderGone(async () => {
    if (jobId) await api.request(CancelJobDocument, { id: jobId });
  });
  try {
    const created = (await api.request(CreateJobDocument, { input })).createJob;
    jobId = created.id;
    if (opts.detach) {
      if (opts.json) sink.event({ event: 'created', job: created });
      else process.stdout.write(`${created.id}\n`);
      return 0;
    }
    if (interrupts > 0) requestCancel(created.id);
    if (opts.json) sink.event({ event: 'created', job: created });
    else sink.platform(`job ${created.id} queued`);

    let queuedSince: string | undefined;
    sink.onJobEvent((job: CliJobFieldsFragment) => {
      if (job.status !== 'QUEUED' || !showPlatform || opts.json) {
        queuedSince = undefined;
        clearTimeout(waitTimer);
        return;
      }
      if (queuedSince === `${job.attempt}`) return;
      queuedSince = `${job.attempt}`;
      clearTimeout(waitTimer);
      waitTimer = setTimeout(() => {
        api.request(WorkersDocument, { status: ['ONLINE'] }).then(
          (r) => {
            if (queuedSince !== undefined) sink.platform(describeWait(job.requirements, r.workers));
          },
          () => {
            if (queuedSince !== undefined) sink.platform('waiting in the queue');
          },
        );
      }, WAIT_NOTICE_MS);
    });

    follower = new JobFollower({ api, budget, jobId: created.id, sink });
    const done = await follower.follow();
    clearTimeout(waitTimer);
    const code = interrupts > 0 ? EXIT.CANCELED : exitStatusFor(done);
    if (opts.json) sink.event({ event: 'exit', status: done.status, exitCode: code });
    return code;
  } finally {
    clearTimeout(waitTimer);
    process.off('SIGINT', onSigint);
    forgetReader();
  }
}
