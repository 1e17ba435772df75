import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { DispatchObserver } from '../services/dispatch-observer.port';
import type { PubSubPort } from '../storage/pubsub';
import { Topics } from '../storage/pubsub';
import type { RateLimiter } from '../storage/rate-limit';
import { JobEventMetrics } from './job-event.metrics';
import { registerStoreGauges } from './store-gauges';

const LOG_TOPIC_PREFIX = Topics.jobLogs('');

/**
 * The API's Prometheus metrics, one registry per API instance. It watches the ports the
 * services already use (what this replica publishes, what its rate limiter decides) instead of
 * reaching into the services, and reads state gauges from the store at scrape time.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly jobs: JobEventMetrics;
  private readonly rateLimited: Counter<'principal'>;
  private readonly claims: Counter<'result'>;
  private readonly slotReads: Counter;
  private readonly slotReadWorkers: Counter;
  private connections: () => Record<string, number> = () => ({});

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.jobs = new JobEventMetrics(this.registry);
    registerStoreGauges(this.registry);
    this.rateLimited = new Counter({
      name: 'cmd_executor_rate_limited_total',
      help: 'Requests refused by the rate limit, by kind of caller',
      labelNames: ['principal'],
      registers: [this.registry],
    });
    this.claims = new Counter({
      name: 'cmd_executor_dispatch_claims_total',
      help: 'Claim rounds the dispatcher ran against the store for one worker, by result (taken: it got at least one job; empty)',
      labelNames: ['result'],
      registers: [this.registry],
    });
    for (const result of ['taken', 'empty']) this.claims.inc({ result }, 0);
    this.slotReads = new Counter({
      name: 'cmd_executor_dispatch_slot_reads_total',
      help: "Reads of the store for workers' slots (one read may cover many workers)",
      registers: [this.registry],
    });
    this.slotReadWorkers = new Counter({
      name: 'cmd_executor_dispatch_slot_read_workers_total',
      help: 'Workers whose slots those reads covered',
      registers: [this.registry],
    });
    const metrics = this;
    new Gauge({
      name: 'cmd_executor_websocket_connections',
      help: 'Open GraphQL WebSocket connections on this replica, by kind of caller (user, worker, anonymous)',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const kind of ['user', 'worker', 'anonymous']) this.set({ kind }, 0);
        for (const [kind, n] of Object.entries(metrics.connections())) this.set({ kind }, n);
      },
    });
  }

  /** The same port, counting the job and log events published through it. */
  observePubSub(port: PubSubPort): PubSubPort {
    const jobs = this.jobs;
    return {
      publish(topic, payload) {
        try {
          if (topic === Topics.JOB_UPDATED) jobs.onJob(payload as Record<string, unknown>);
          else if (topic.startsWith(LOG_TOPIC_PREFIX)) jobs.onLogBatch(payload as { chunks?: Array<{ data?: unknown }> });
        } catch {
          // metrics never get in the way of the event itself
        }
        return port.publish(topic, payload);
      },
      subscribe: (topic, handler) => port.subscribe(topic, handler),
      asyncIterator: (topics) => port.asyncIterator(topics),
      onResume: (listener) => port.onResume(listener),
      close: () => port.close(),
    };
  }

  /** The same limiter, counting refusals. Keys start with the kind of caller (`u:`, `w:`, `a:`). */
  observeRateLimiter(limiter: RateLimiter): RateLimiter {
    const counter = this.rateLimited;
    return {
      async hit(key, max, windowMs) {
        const decision = await limiter.hit(key, max, windowMs);
        if (!decision.allowed) counter.inc({ principal: PRINCIPAL_KINDS[key.slice(0, 2)] ?? 'other' });
        return decision;
      },
      close: () => limiter.close(),
    };
  }

  /** What the dispatcher reports of its claims and reads. */
  dispatchObserver(): DispatchObserver {
    return {
      claimed: (jobs) => this.claims.inc({ result: jobs > 0 ? 'taken' : 'empty' }),
      slotsRead: (workers) => {
        this.slotReads.inc();
        this.slotReadWorkers.inc(workers);
      },
    };
  }

  /** Where the open WebSocket connections are counted (the graphql-ws server, once it exists). */
  countConnectionsWith(source: () => Record<string, number>): void {
    this.connections = source;
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

const PRINCIPAL_KINDS: Record<string, string> = { 'u:': 'user', 'w:': 'worker', 'a:': 'anonymous' };
