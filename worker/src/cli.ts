#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { WorkerAgent } from './agent/agent';
import { AgentMetrics } from './agent/agent-metrics';
import { DEFAULTS } from './agent/agent.options';
import { errorMessage } from './errors';
import { createNoneProvider } from './runner/none.sandbox';
import type { SandboxModule, SandboxProvider } from './runner/sandbox.types';
import { sandboxModule as hostSandboxes } from './sandbox';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return n;
  };
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds ≥ 0');
  return n;
}

function labels(value: string): string[] {
  return value
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export function buildProgram(sandboxModule: SandboxModule | undefined): Command {
  const program = new Command()
    .name('cmd-executor-worker')
    .description(
      'Worker agent for cmd-executor: holds one WebSocket to the API, runs the jobs assigned to it ' +
        'in their own process groups and streams their output back. Every option can also be set ' +
        'through the environment variable shown next to it (the option wins).',
    )
    .addOption(
      new Option('--server <url>', 'API address: http(s)://host:port, or the ws(s)://host:port/graphql endpoint')
        .env('CMD_EXECUTOR_SERVER')
        .default(DEFAULTS.server),
    )
    .addOption(
      new Option('--token <token>', 'worker token from createWorkerToken (prefer the env variable: arguments are visible in ps)')
        .env('CMD_EXECUTOR_WORKER_TOKEN')
        .makeOptionMandatory(),
    )
    .addOption(new Option('--name <name>', "worker name shown in the UI (default: the worker token's name)").env('CMD_EXECUTOR_WORKER_NAME'))
    .addOption(
      new Option('--labels <list>', 'comma-separated labels; a job runs here only if its requirements are all among them')
        .env('CMD_EXECUTOR_LABELS')
        .argParser(labels)
        .default([], 'none'),
    )
    .addOption(
      new Option('--concurrency <n>', 'jobs run at the same time').env('CMD_EXECUTOR_CONCURRENCY').argParser(positiveInt('--concurrency')).default(DEFAULTS.concurrency),
    )
    .addOption(
      new Option('--work-dir <dir>', 'each job gets a directory under it, removed after the job').env('CMD_EXECUTOR_WORK_DIR').default(DEFAULTS.workDir),
    )
    .addOption(
      new Option('--kill-grace <seconds>', 'on cancel or timeout: time between SIGTERM and SIGKILL to the job’s process group')
        .env('CMD_EXECUTOR_KILL_GRACE')
        .argParser(seconds)
        .default(DEFAULTS.killGraceSeconds),
    )
    .addOption(
      new Option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT: how long running jobs may finish before they are stopped')
        .env('CMD_EXECUTOR_SHUTDOWN_TIMEOUT')
        .argParser(seconds)
        .default(DEFAULTS.shutdownTimeoutSeconds),
    )
    .addOption(
      new Option('--metrics-port <port>', 'serve Prometheus metrics at http://<host>:<port>/metrics (running jobs, slots, log bytes sent, reconnects)')
        .env('CMD_EXECUTOR_METRICS_PORT')
        .argParser(positiveInt('--metrics-port')),
    )
    .addOption(
      new Option('--spawn-helper <mode>', 'auto: job processes are forked by a small python3 helper (the agent stays responsive), else by the agent; off: always by the agent')
        .env('CMD_EXECUTOR_SPAWN_HELPER')
        .choices(['auto', 'off'])
        .default('auto'),
    )
    .addOption(
      new Option('--log-level <level>', 'agent log level (logs are JSON lines on stdout)')
        .env('CMD_EXECUTOR_LOG_LEVEL')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .addHelpText(
      'after',
      '\nExit status: 0 after a graceful stop (SIGTERM/SIGINT), 1 when the server refuses the token\n' +
        '(it is not retried), 2 on invalid options. Network errors are retried with jittered backoff.',
    );
  if (sandboxModule) sandboxModule.addSandboxOptions(program);
  else {
    program.addOption(
      new Option('--sandbox <kind>', 'how jobs are isolated (this build offers none: a plain process group)')
        .env('CMD_EXECUTOR_SANDBOX')
        .choices(['none'])
        .default('none'),
    );
  }
  return program;
}

interface CliOptions {
  server: string;
  token: string;
  name: string;
  labels: string[];
  concurrency: number;
  workDir: string;
  killGrace: number;
  shutdownTimeout: number;
  metricsPort?: number;
  spawnHelper: 'auto' | 'off';
  logLevel: string;
}

/**
 * @param sandboxModule adds `--sandbox` and the limit options and builds the provider
 * (worker/src/sandbox, issue 5); without one the agent offers `none` only.
 */
export async function main(argv = process.argv, sandboxModule: SandboxModule | undefined = hostSandboxes): Promise<number> {
  const program = buildProgram(sandboxModule).exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });
  program.parse(argv);
  const opts = program.opts<CliOptions>();
  // The token must never reach a log line, whatever a later change logs.
  const logger = pino({ name: 'cmd-executor-worker', level: opts.logLevel, redact: ['token', '*.token', 'workerToken', '*.workerToken'] });

  let sandboxes: SandboxProvider;
  try {
    sandboxes = sandboxModule ? await sandboxModule.createSandboxProvider(program.opts(), logger) : createNoneProvider();
  } catch (err) {
    process.stderr.write(`cmd-executor-worker: ${errorMessage(err)}\n`);
    return 2;
  }

  let agent: WorkerAgent | undefined;
  const metrics = opts.metricsPort === undefined ? undefined : new AgentMetrics({ runningJobs: () => agent?.runningJobs() ?? [], slots: opts.concurrency });
  try {
    agent = new WorkerAgent({
      server: opts.server,
      token: opts.token,
      name: opts.name,
      labels: opts.labels,
      concurrency: opts.concurrency,
      workDir: opts.workDir,
      sandboxes,
      killGraceSeconds: opts.killGrace,
      shutdownTimeoutSeconds: opts.shutdownTimeout,
      spawnHelper: opts.spawnHelper,
      logger,
      metrics,
    });
  } catch (err) {
    process.stderr.write(`cmd-executor-worker: ${errorMessage(err)}\n`);
    return 2;
  }

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) logger.info({ signal }, 'signal received: stopping gracefully (send it again to stop running jobs now)');
    else logger.warn({ signal }, 'second signal: stopping running jobs now');
    void agent?.stop({ now: signals > 1 });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Started by a parent with an IPC channel (`npm start` runs its local agent so): when the
  // parent is gone, stop as on SIGTERM rather than serve on without it. The channel itself
  // must not keep this process alive.
  const onParentGone = (): void => onSignal('SIGTERM');
  if (process.send) {
    process.channel?.unref();
    process.once('disconnect', onParentGone);
    if (!process.connected) onParentGone(); // it went while the sandboxes were probed
  }
  let metricsServer: Awaited<ReturnType<AgentMetrics['listen']>> | undefined;
  try {
    if (metrics && opts.metricsPort !== undefined) {
      metricsServer = await metrics.listen(opts.metricsPort);
      logger.info({ port: metricsServer.port }, 'metrics listening');
    }
    await agent.start();
    await agent.closed;
    return 0;
  } catch (err) {
    logger.fatal({ err: errorMessage(err) }, 'worker agent stopped');
    process.stderr.write(`cmd-executor-worker: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('disconnect', onParentGone);
    await metricsServer?.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`cmd-executor-worker: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
