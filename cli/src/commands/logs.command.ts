import type { Command } from 'commander';
import { JobLogsPageDocument } from '../api/operations';
import { CliError } from '../errors';
import { exitStatusFor } from '../follow/exit-status';
import { JobFollower } from '../follow/job-follower';
import { OutputSink } from '../follow/output-sink';
import { connect } from './connection';
import { example, intIn, withServer } from './options';

interface LogsOptions {
  follow?: boolean;
  attempt?: number;
  json?: boolean;
  verbose?: boolean;
  server?: string;
}

const PAGE = 5000;

export function registerLogs(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('logs')
    .description("a job's output: stdout on stdout, stderr on stderr (of the current attempt unless --attempt)")
    .argument('<job-id>')
    .option('-f, --follow', 'keep following until the job ends, then exit with its exit status (as run does)')
    .option('--attempt <n>', 'the output of this attempt', intIn('--attempt', 1, 1000))
    .option('--json', 'one JSON object per chunk on stdout')
    .option('-v, --verbose', 'platform lines on stderr; the default on a terminal');
  withServer(cmd);
  example(cmd, 'cmd-executor logs -f 6650b3c1e4a8f2a1d9c0ffee', 'cmd-executor logs --attempt 1 6650b3c1e4a8f2a1d9c0ffee 2>/dev/null | grep ERROR');
  cmd.action(async (jobId: string, opts: LogsOptions) => {
    const { api, budget } = connect(opts.server);
    const sink = new OutputSink({ json: Boolean(opts.json), showPlatform: Boolean(opts.verbose || process.stderr.isTTY) });
    const first = await api.request(JobLogsPageDocument, { id: jobId, limit: 1, afterSeq: 0 });
    if (!first.job) throw new CliError(`job ${jobId} not found`, 'NOT_FOUND');
    const attempt = opts.attempt ?? first.job.attempt;
    if (opts.follow) {
      const done = await new JobFollower({ api, budget, jobId, attempt, sink }).follow();
      setExit(exitStatusFor(done));
      return;
    }
    let afterSeq = 0;
    for (;;) {
      const page = await api.request(JobLogsPageDocument, { id: jobId, attempt, afterSeq, limit: PAGE });
      const logs = page.job?.logs ?? [];
      for (const chunk of logs) sink.log(chunk);
      if (logs.length < PAGE) break;
      afterSeq = logs[logs.length - 1]!.seq;
    }
    setExit(0);
  });
}
