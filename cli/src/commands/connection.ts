import { ApiClient } from '../api/api-client';
import { resolveSession, type Env } from '../config/credentials.store';
import { CliError, LOGIN_HINT } from '../errors';
import { RetryBudget } from '../util/retry-budget';

/** How long the server may stay unreachable before a command gives up (exit 2). */
export function retryBudgetFrom(env: Env): RetryBudget {
  const raw = env.CMD_EXECUTOR_RETRY_SECONDS;
  const seconds = raw === undefined || raw === '' ? 60 : Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new CliError(`CMD_EXECUTOR_RETRY_SECONDS: expected seconds ≥ 0, got ${raw}`);
  return new RetryBudget({ seconds });
}

export interface Connected {
  api: ApiClient;
  budget: RetryBudget;
}

/** An API client for a logged-in command: no token at all is refused before any request. */
export function connect(serverFlag: string | undefined, env: Env = process.env): Connected {
  const session = resolveSession(serverFlag, env);
  if (!session.token) throw new CliError(LOGIN_HINT, 'UNAUTHENTICATED');
  const budget = retryBudgetFrom(env);
  return { api: new ApiClient({ server: session.server, token: session.token, budget }), budget };
}
