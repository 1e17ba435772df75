import { Registry } from 'prom-client';
import { JobEventMetrics } from './job-event.metrics';

async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const base = name.replace(/_(sum|count|bucket)$/, '');
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name || m.name === base);
  const wanted = Object.entries(labels);
  return (metric?.values as Array<{ value: number; labels: Record<string, string>; metricName?: string }> | undefined)?.find(
    (v) => (v.metricName ?? name) === name && wanted.every(([k, l]) => v.labels[k] === l),
  )?.value;
}

describe('job metrics from published job changes', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const at = (s: number) => new Date(t0.getTime() + s * 1000).toISOString();

  it('counts an ended attempt once, however often its end is published', async () => {
    const registry = new Registry();
    const m = new JobEventMetrics(registry);
    const done = { id: 'j1', attempt: 1, status: 'SUCCEEDED', queuedAt: at(0), startedAt: at(2), finishedAt: at(5) };
    m.onJob(done);
    m.onJob({ ...done, logBytes: 10 });
    expect(await value(registry, 'cmd_executor_jobs_total', { status: 'SUCCEEDED' })).toBe(1);
    expect(await value(registry, 'cmd_executor_jobs_total', { status: 'FAILED' })).toBe(0);
    expect(await value(registry, 'cmd_executor_job_duration_seconds_sum', { status: 'SUCCEEDED' })).toBe(3);
    // a retried job ends again as its next attempt: that counts
    m.onJob({ ...done, attempt: 2, status: 'FAILED' });
    expect(await value(registry, 'cmd_executor_jobs_total', { status: 'FAILED' })).toBe(1);
  });

  it('measures queue wait at RUNNING and dispatch latency at ASSIGNED, from Dates or ISO strings', async () => {
    const registry = new Registry();
    const m = new JobEventMetrics(registry);
    m.onJob({ id: 'j2', attempt: 1, status: 'ASSIGNED', queuedAt: t0, assignedAt: new Date(t0.getTime() + 250) });
    m.onJob({ id: 'j2', attempt: 1, status: 'RUNNING', queuedAt: at(0), startedAt: at(1.5) });
    expect(await value(registry, 'cmd_executor_dispatch_latency_seconds_sum')).toBeCloseTo(0.25);
    expect(await value(registry, 'cmd_executor_queue_wait_seconds_sum')).toBeCloseTo(1.5);
    expect(await value(registry, 'cmd_executor_queue_wait_seconds_count')).toBe(1);
  });

  it('adds the UTF-8 bytes of published log chunks', async () => {
    const registry = new Registry();
    const m = new JobEventMetrics(registry);
    m.onLogBatch({ chunks: [{ data: 'héllo\n' }, { data: 'x' }] });
    expect(await value(registry, 'cmd_executor_log_bytes_total')).toBe(8);
  });
});
