import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type Request, type Response } from 'express';
import type { AppConfig } from '../config';
import type { ApiMetrics } from './api-metrics';

/**
 * `/metrics` on the main port. With METRICS_PORT set it is served there only; with
 * METRICS_TOKEN it needs `Authorization: Bearer <token>`; otherwise it is open in development
 * and absent in production (metrics reveal load and job counts).
 */
export function metricsRouter(metrics: ApiMetrics, config: AppConfig): Router {
  const router = Router();
  const { token, port } = config.metrics;
  router.get('/metrics', (req, res) => {
    if (port !== undefined || (!token && config.isProduction)) {
      res.status(404).type('text/plain').send('not found\n');
      return;
    }
    if (token && !bearerMatches(req, token)) {
      res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    void send(metrics, res);
  });
  return router;
}

/** The metrics alone on their own port (no GraphQL, no token): keep that port inside the cluster. */
export async function startMetricsServer(metrics: ApiMetrics, port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics') {
      metrics.text().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
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

async function send(metrics: ApiMetrics, res: Response): Promise<void> {
  try {
    const { contentType, body } = await metrics.text();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  } catch {
    res.status(500).type('text/plain').send('metrics unavailable\n');
  }
}

function bearerMatches(req: Request, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
