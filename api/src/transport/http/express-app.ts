import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AppContainer } from '../../app-container';
import { healthRouter } from '../../observability/health.route';
import { metricsRouter } from '../../observability/metrics.route';
import { credentialFromHttp } from '../../auth/credentials';
import { RateLimitedError, ServiceUnavailableError } from '../../errors';
import type { Principal } from '../../auth/principal';
import type { GraphQLContext } from '../graphql/context';
import { principalLabel, requestMeta } from '../graphql/request-meta';
import { createDownloadsRouter, publicBaseUrl } from './downloads.route';
import { graphiqlRouter } from './graphiql.route';
import { graphqlBudget } from './graphql-budget.middleware';
import { oidcRouter } from './oidc.route';
import { sendRateLimited } from './rate-limit-response';
import { isSecureRequest } from './tls';
import { clientAddress } from './client-address';

interface Locals {
  requestId: string;
  principal: Principal;
  ctx?: GraphQLContext;
}

/** Default location of the built web UI, from api/src or api/dist alike. */
const DEFAULT_WEB_DIST = resolve(__dirname, '../../../../web/dist');

export interface ExpressAppOptions {
  /** True once the server has begun to stop (readiness then fails at once). */
  isShuttingDown?: () => boolean;
}

export function createExpressApp(app: AppContainer, apollo: ApolloServer<GraphQLContext>, opts: ExpressAppOptions = {}): Express {
  const { config, logger } = app;
  // The largest real bodies: a login; a createJob (≤ 64 KiB command, ≤ 64 KiB env, args); a worker's log batch.
  const bodyParsers = { anonymous: express.json({ limit: '64kb' }), user: express.json({ limit: '1mb' }), worker: express.json({ limit: '8mb' }) };
  const server = express();
  server.disable('x-powered-by');
  // req.ip and req.protocol follow the same hop count as clientAddress() (which the limits use).
  server.set('trust proxy', config.http.trustProxy);

  // Before the TLS check: load balancers and Prometheus probe over plain HTTP.
  server.use(healthRouter({ redis: app.redis, isShuttingDown: opts.isShuttingDown ?? (() => false) }));
  server.use(metricsRouter(app.metrics, config));

  if (config.http.enforceTls) {
    server.use((req, res, next) => {
      if (isSecureRequest(req)) return next();
      res.status(403).json({ errors: [{ message: 'HTTPS required', extensions: { code: 'FORBIDDEN' } }] });
    });
  }

  const webDist = config.http.webDistDir ?? DEFAULT_WEB_DIST;
  server.use(graphiqlRouter(webDist, config.graphql.playground));

  server.use(
    '/graphql',
    cors({ origin: config.http.allowedOrigins.includes('*') ? true : config.http.allowedOrigins, credentials: true, maxAge: 600 }),
    // Answers hold one user's data: no cache keeps them (Apollo's cache-control plugin is off).
    (_req: Request, res: Response, next: NextFunction) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
    (req: Request, res: Response, next: NextFunction) => {
      authenticateAndLimit(app, req, res).then(
        (ok) => (ok ? next() : undefined),
        (err: unknown) => next(err),
      );
    },
    // After authentication: an anonymous caller's body is read only up to what login needs
    // (parsing megabytes of JSON stalls every other request), and a limited caller's not at all.
    (req: Request, res: Response, next: NextFunction) => bodyParsers[(res.locals as Locals).principal.kind](req, res, next),
    graphqlBudget(),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const locals = res.locals as Locals;
        const ctx: GraphQLContext = {
          requestId: locals.requestId,
          principal: locals.principal,
          app,
          transport: 'http',
          clientAddress: clientAddress(req, config.http.trustProxy),
          meta: { errorCodes: [] },
          publicUrl: publicBaseUrl(config.http.publicUrl, req),
          http: {
            setCookie: (name, value, o) => res.cookie(name, value, { ...o, maxAge: o.maxAge === undefined ? undefined : o.maxAge * 1000 }),
            clearCookie: (name, o) => res.clearCookie(name, { httpOnly: o.httpOnly, sameSite: o.sameSite, secure: o.secure, path: o.path }),
          },
        };
        locals.ctx = ctx;
        return ctx;
      },
    }),
  );

  server.use(oidcRouter(app));
  server.use('/downloads', createDownloadsRouter());

  if (existsSync(resolve(webDist, 'index.html'))) {
    // Bundles have content hashes in their names and may be cached; the shell that names them
    // must not be, or a browser keeps asking for bundles a rebuild removed.
    const noCache = (res: Response) => res.setHeader('Cache-Control', 'no-cache');
    server.use(
      express.static(webDist, {
        index: 'index.html',
        maxAge: '1h',
        setHeaders: (res, file) => {
          // config.js is edited per deployment (the API's address): never served stale.
          if (file.endsWith('.html') || file.endsWith(`${sep}config.js`)) noCache(res);
        },
      }),
    );
    // Client-side routes: any other GET that wants HTML gets the app shell.
    server.use((req, res, next) => {
      if (req.method === 'GET' && req.accepts('html')) {
        noCache(res);
        res.sendFile(resolve(webDist, 'index.html'));
      } else next();
    });
  }

  server.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const locals = res.locals as Partial<Locals>;
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err, requestId: locals.requestId, path: req.path }, 'request failed');
    res.status(status).json({
      errors: [{ message: status >= 500 ? 'internal server error' : status === 413 ? 'request body too large' : 'bad request', extensions: { code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', requestId: locals.requestId } }],
    });
  });
  return server;
}

/**
 * Who is calling, then whether their budget allows it (HTTP 429 otherwise), then one log line
 * per request when the response is done (user, operation, duration; never credentials).
 */
async function authenticateAndLimit(app: AppContainer, req: Request, res: Response): Promise<boolean> {
  const started = process.hrtime.bigint();
  const requestId = randomUUID();
  res.setHeader('x-request-id', requestId);
  const principal = await app.services.auth.principalFor(credentialFromHttp(req.headers));
  const locals = res.locals as Locals;
  locals.requestId = requestId;
  locals.principal = principal;
  res.on('finish', () => {
    const meta = locals.ctx ? requestMeta(locals.ctx) : undefined;
    app.logger.info(
      {
        requestId,
        ...principalLabel({ principal }),
        operation: meta?.operationName,
        type: meta?.operationType,
        status: res.statusCode,
        errors: meta?.errorCodes.length ? meta.errorCodes : undefined,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      },
      'graphql request',
    );
  });
  try {
    await app.services.rateLimit.check(principal, clientAddress(req, app.config.http.trustProxy));
  } catch (err) {
    if (err instanceof RateLimitedError || err instanceof ServiceUnavailableError) {
      sendRateLimited(res, err);
      return false;
    }
    throw err;
  }
  return true;
}
