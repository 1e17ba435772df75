import pino from 'pino';

/**
 * For the worker agents the browser tests start in-process: their info lines (one per job
 * event) would fill the test output, so warnings and errors only unless TEST_LOG_LEVEL says
 * otherwise, as for the agent processes of test-support/agent-process.ts. A module of its own:
 * files on the shared stack import it without loading the API (support/stack.ts does).
 */
export function agentLogger(): pino.Logger {
  return pino({ name: 'cmd-executor-worker', level: process.env.TEST_LOG_LEVEL ?? 'warn' });
}
