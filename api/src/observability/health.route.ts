import { Router } from 'express';
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';

/** A dependency that does not answer within this long counts as down. */
const PROBE_TIMEOUT_MS = 1000;

export interface HealthDeps {
  redis?: Redis;
  /** True from the moment the replica starts to stop: /readyz says 503 at once. */
  isShuttingDown(): boolean;
}

/**
 * `/healthz`: 200 while the process serves (a liveness probe: restart me if this fails).
 * `/readyz`: 200 when MongoDB and Redis (when configured) answer a ping within a second,
 * else 503 naming which; 503 while shutting down, so a load balancer stops sending traffic.
 * Both come before the TLS check: load balancers probe over plain HTTP.
 */
export function healthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true });
  });
  router.get('/readyz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (deps.isShuttingDown()) {
      res.status(503).json({ ready: false, shuttingDown: true, failing: [] });
      return;
    }
    const probes: Array<[string, Promise<unknown>]> = [['mongodb', pingMongo()]];
    if (deps.redis) probes.push(['redis', deps.redis.ping()]);
    void Promise.all(probes.map(async ([name, p]) => ((await withinTimeout(p)) ? undefined : name))).then((results) => {
      const failing = results.filter((n): n is string => n !== undefined);
      res.status(failing.length ? 503 : 200).json({ ready: failing.length === 0, failing });
    });
  });
  return router;
}

async function pingMongo(): Promise<unknown> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== mongoose.ConnectionStates.connected) throw new Error('not connected');
  return db.command({ ping: 1 });
}

/** Resolves true when `p` settles successfully within the timeout; never rejects. */
async function withinTimeout(p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([p.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
