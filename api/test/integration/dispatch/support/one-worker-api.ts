import type { Client } from 'graphql-ws';
import { ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import type { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { cancelOpenJobs, connectFakeWorker, createJob, startDispatchApi, type DispatchApi } from './dispatch-harness';

export interface OneWorkerApi {
  /** The API (set from the file's `beforeAll` on). */
  readonly api: DispatchApi;
  /** The one fake worker, registered, heartbeating and subscribed to its assignments. */
  readonly worker: FakeWorker;
  /** A new job, assigned to and started on the worker (attempt 1); its id. */
  runningJob(command?: string): Promise<string>;
  /** A graphql-ws client on the API (as an admin unless `token` says otherwise), closed after the file. */
  subscriber(token?: string): Client;
}

/**
 * For a test file about one worker's jobs: registers the file's hooks, which start a dispatch API
 * with one fake worker named `name` before all tests, cancel every open job after each, and close
 * the subscribers, the worker and the API after all.
 */
export function useOneWorkerApi(name: string, opts: { capacity: number; env?: Record<string, string> }): OneWorkerApi {
  let api: DispatchApi | undefined;
  let worker: FakeWorker | undefined;
  const clients: Client[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useOneWorkerApi: used before its beforeAll ran');
    return value;
  };
  const fixture: OneWorkerApi = {
    get api() {
      return started(api);
    },
    get worker() {
      return started(worker);
    },
    async runningJob(command = 'out') {
      const job = await createJob(fixture.api, { command });
      await fixture.worker.waitFor((e) => e.some((x) => x.jobId === job.id && x.kind === 'ASSIGN'));
      ok(await fixture.worker.start(job.id, 1));
      return job.id;
    },
    subscriber(token = fixture.api.adminToken) {
      const c = wsClient(fixture.api.wsUrl, { authToken: token });
      clients.push(c);
      return c;
    },
  };

  beforeAll(async () => {
    api = await startDispatchApi({ env: opts.env });
    worker = await connectFakeWorker(api, name, { capacity: opts.capacity });
  });
  afterEach(async () => {
    if (api) await cancelOpenJobs(api);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await worker?.close();
    await api?.close();
  });
  return fixture;
}
