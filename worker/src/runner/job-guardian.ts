import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { errorMessage } from '../errors';
import { endSideProcess, TickBatchedOrders, unrefSideProcess } from './side-process';

/**
 * What the runner tells the guardian: which process groups and containers belong to jobs
 * that run now. Every call is cheap and synchronous (one short line on a pipe).
 */
export interface JobGuard {
  watchGroup(pgid: number): void;
  forgetGroup(pgid: number): void;
  watchContainer(name: string): void;
  forgetContainer(name: string): void;
}

/**
 * A job's processes must never outlive its agent: when the agent is gone the server runs the
 * attempt again elsewhere, and two copies of one job would run at once.
 *
 * Jobs run in process groups of their own (so a signal reaches everything they started),
 * which also means the kernel does not end them with the agent. Node cannot set
 * PR_SET_PDEATHSIG, and that would reach only the group leader anyway, not its children.
 * So the agent starts this guardian: a tiny `/bin/sh` loop in a session of its own that reads
 * "watch/forget" lines from a pipe only the agent holds. The pipe closes whenever the agent
 * ends — exit, crash, `kill -9`, OOM kill — and the guardian then sends SIGKILL to every group
 * still registered and removes every registered container (a killed `docker run` client leaves
 * its container running). It ignores the terminal's and the service manager's polite signals
 * (SIGINT, SIGTERM, SIGHUP), so a Ctrl-C that reaches the whole foreground group cannot take
 * it down before the agent.
 *
 * What it cannot catch: a job process that left its group on purpose (`setsid`, a daemon);
 * the namespace sandbox's pid namespace and docker's container cover those. If the guardian
 * itself is killed, the agent starts a new one and registers everything again; the orphan
 * reaper (at the next agent start) is the last line.
 */
export const GUARDIAN_SCRIPT = [
  "trap '' INT TERM HUP QUIT PIPE",
  'groups=; containers=',
  'drop() { out=; for x in $1; do [ "$x" = "$2" ] || out="$out $x"; done; }',
  'while read -r op arg; do',
  '  case "$op" in',
  '    g) groups="$groups $arg" ;;',
  '    u) drop "$groups" "$arg"; groups=$out ;;',
  '    c) containers="$containers $arg" ;;',
  '    d) drop "$containers" "$arg"; containers=$out ;;',
  '  esac',
  'done',
  'for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done',
  '[ -z "$containers" ] || [ -z "$1" ] || "$1" rm --force $containers >/dev/null 2>&1',
  'exit 0',
].join('\n');

/** Variables the docker client needs to find the engine (nothing else of the agent's). */
const GUARDIAN_ENV = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY'];

export interface JobGuardianOptions {
  logger: Logger;
  /** the docker client the guardian removes containers with (none: containers are not registered) */
  dockerPath?: string;
  shPath?: string;
}

/** Names a pipe line can carry safely (pgids are numbers; container names are generated). */
const SAFE = /^[A-Za-z0-9_.-]+$/;

export class JobGuardian implements JobGuard {
  private child: ChildProcess | undefined;
  private readonly groups = new Set<number>();
  private readonly containers = new Set<string>();
  private closed = false;
  private restarts = 0;
  private readonly orders = new TickBatchedOrders(() => this.child?.stdin);

  private constructor(private readonly options: JobGuardianOptions) {}

  /** Starts the guardian process; resolves once it runs. */
  static async start(options: JobGuardianOptions): Promise<JobGuardian> {
    const guardian = new JobGuardian(options);
    await guardian.spawnChild();
    return guardian;
  }

  /** pid of the guardian process (for tests and diagnostics) */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  watchGroup(pgid: number): void {
    if (!Number.isInteger(pgid) || pgid <= 1) return;
    this.groups.add(pgid);
    this.send(`g ${pgid}`);
  }

  forgetGroup(pgid: number): void {
    if (this.groups.delete(pgid)) this.send(`u ${pgid}`);
  }

  watchContainer(name: string): void {
    if (!SAFE.test(name)) return;
    this.containers.add(name);
    this.send(`c ${name}`);
  }

  forgetContainer(name: string): void {
    if (this.containers.delete(name)) this.send(`d ${name}`);
  }

  /**
   * Ends the guardian. Whatever is still registered is killed, as on the agent's death:
   * the agent stops only after its runners forgot their groups, so normally nothing is.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.orders.flush();
    await endSideProcess(this.child);
  }

  private send(line: string): void {
    // Written at the end of this tick (libuv then tries the write synchronously), so a job is
    // covered from right after its spawn, not from some later turn of the event loop.
    this.orders.send(line);
  }

  private spawnChild(): Promise<void> {
    const env: Record<string, string> = {};
    for (const name of GUARDIAN_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    const child = spawn(this.options.shPath ?? '/bin/sh', ['-c', GUARDIAN_SCRIPT, 'cmd-executor-guardian', this.options.dockerPath ?? ''], {
      detached: true, // its own session: the terminal's Ctrl-C and a group kill of the agent miss it
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
    });
    this.child = child;
    // It must not keep the agent's event loop alive; close() ends it explicitly.
    unrefSideProcess(child, ['stdin']);
    child.stdin!.on('error', () => undefined); // EPIPE after it died: the exit handler restarts it
    return new Promise((resolve, reject) => {
      child.once('error', (err) => {
        this.options.logger.error({ err: errorMessage(err) }, 'could not start the job guardian');
        reject(err);
      });
      child.once('spawn', () => {
        for (const g of this.groups) this.send(`g ${g}`);
        for (const c of this.containers) this.send(`c ${c}`);
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (this.closed || this.child !== child) return;
        this.restarts += 1;
        this.options.logger.warn({ code, signal, restarts: this.restarts }, 'the job guardian died; starting a new one');
        // a guardian that cannot even start is retried more slowly, never in a tight loop
        setTimeout(() => {
          if (!this.closed) this.spawnChild().catch(() => undefined);
        }, this.restarts > 3 ? 1_000 : 0).unref();
      });
    });
  }
}
