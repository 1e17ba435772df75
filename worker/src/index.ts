/**
 * The cmd-executor worker agent as a library: the CLI (`cli.ts`), the API's embedded
 * default and the tests all start agents through `startAgent`.
 */
export { startAgent, WorkerAgent, type Agent } from './agent/agent';
export { DEFAULTS as AGENT_DEFAULTS, type AgentOptions } from './agent/agent.options';
export { WorkerError, type WorkerErrorCode } from './errors';
export { createNoneProvider, NoneSandbox } from './runner/none.sandbox';
export type {
  Sandbox,
  SandboxKind,
  SandboxProvider,
  SandboxModule,
  SpawnSpec,
  RunnableJob,
  WrappedSpawn,
} from './runner/sandbox.types';
export { JobRunner, type JobApi, type JobResult, type RunOutcome } from './runner/job-runner';
