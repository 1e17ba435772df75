import { CliError, errorMessage } from '../errors';

export interface RetryBudgetOptions {
  /** how long the server may stay unreachable before the CLI gives up */
  seconds: number;
  baseMs?: number;
  maxMs?: number;
}

/**
 * Shared by every request and the live connection: the clock starts at the first failure and
 * is reset by any success, so a long `run` survives many short outages but not one long one.
 */
export class RetryBudget {
  private failingSince: number | undefined;
  private failures = 0;

  constructor(private readonly options: RetryBudgetOptions) {}

  succeeded(): void {
    this.failingSince = undefined;
    this.failures = 0;
  }

  /** Waits before the next try, or throws a CliError once the budget is spent. */
  async failed(what: string, err: unknown, waitAtLeastMs = 0): Promise<void> {
    const now = Date.now();
    this.failingSince ??= now;
    const left = this.failingSince + this.options.seconds * 1000 - now;
    if (left <= 0) throw new CliError(`${what}: ${errorMessage(err)}; gave up after ${this.options.seconds} s`, undefined, { cause: err });
    const base = this.options.baseMs ?? 250;
    const max = this.options.maxMs ?? 5000;
    const backoff = Math.min(max, base * 2 ** Math.min(this.failures, 16));
    this.failures += 1;
    const delay = Math.min(left, Math.max(waitAtLeastMs, backoff / 2 + Math.random() * (backoff / 2)));
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
