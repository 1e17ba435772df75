import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppendResult, LogChunkOut } from '../output/log-streamer';
import { WorkerApi } from '../transport/worker-api';

/** What the agent tells its metrics (see AgentOptions.metrics). */
export interface AgentMetricsSink {
  /** the connection to the API came up; every time after the first is a reconnect */
  connected(): void;
  /** chunks the API acknowledged */
  logsSent(chunks: readonly LogChunkOut[]): void;
}

/** The agent's Prometheus metrics: running jobs, slots, log bytes sent, reconnects. */
export class AgentMetrics implements AgentMetricsSink {
  readonly registry = new Registry();
  private readonly logBytes: Counter;
  private readonly reconnects: Counter;
  private connections = 0;

  constructor(source: { runningJobs(): unknown[]; slots: number }) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'cmd_executor_worker_running_jobs',
      help: 'Job attempts running on this agent',
      registers: [this.registry],
      collect() {
        this.set(source.runningJobs().length);
      },
    });
    new Gauge({ name: 'cmd_executor_worker_slots', help: 'Jobs this agent runs at once (--concurrency)', registers: [this.registry] }).set(source.slots);
    this.logBytes = new Counter({ name: 'cmd_executor_worker_log_bytes_sent_total', help: 'Bytes of job output the API acknowledged (UTF-8)', registers: [this.registry] });
    this.reconnects = new Counter({ name: 'cmd_executor_worker_reconnects_total', help: 'Connections to the API after the first', registers: [this.registry] });
  }

  connected(): void {
    this.connections += 1;
    if (this.connections > 1) this.reconnects.inc();
  }

  logsSent(chunks: readonly LogChunkOut[]): void {
    let bytes = 0;
    for (const c of chunks) bytes += c.data.length;
    if (bytes > 0) this.logBytes.inc(bytes);
  }

  /** Serves GET /metrics on `port` (0: any free one). */
  async listen(port: number, host = '0.0.0.0'): Promise<{ port: number; close(): Promise<void> }> {
    const server: Server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }
}

/** The worker API, telling `sink` about every acknowledged log batch. */
export class MeteredWorkerApi extends WorkerApi {
  constructor(
    client: ConstructorParameters<typeof WorkerApi>[0],
    ready: () => boolean,
    private readonly sink: AgentMetricsSink,
  ) {
    super(client, ready);
  }

  override async appendLogs(jobId: string, attempt: number, chunks: LogChunkOut[]): Promise<AppendResult> {
    const result = await super.appendLogs(jobId, attempt, chunks);
    this.sink.logsSent(chunks);
    return result;
  }
}
