import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Router, type RequestHandler, type Request, type Response } from 'express';

/**
 * GraphiQL, built with the web UI (web/dist/graphiql.html and its bundles), at `/graphiql`
 * and at `/graphql` for a browser asking for HTML. Everything it loads comes from this host;
 * the Content-Security-Policy says so to the browser too.
 */
export function graphiqlRouter(webDist: string, enabled: boolean): RequestHandler {
  const router = pages(webDist, enabled);
  // GET only: a Router answers OPTIONS for its paths by itself, which would swallow the CORS
  // preflight of POST /graphql.
  return (req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? router(req, res, next) : next());
}

function pages(webDist: string, enabled: boolean): Router {
  const page = resolve(webDist, 'graphiql.html');
  const router = Router();
  if (!enabled || !existsSync(page)) {
    // Off (production without GRAPHQL_PLAYGROUND=true) or not built: say so rather than show the app shell.
    router.get(['/graphiql', '/graphiql.html'], (_req, res) => {
      res.status(404).type('text/plain').send(enabled ? 'GraphiQL is not built (npm run build -w web).\n' : 'GraphiQL is off here (GRAPHQL_PLAYGROUND=true turns it on).\n');
    });
    return router;
  }
  const send = (res: Response) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', GRAPHIQL_CSP);
    res.sendFile(page);
  };
  router.get('/graphiql', (_req, res) => send(res));
  router.get('/graphql', (req, res, next) => (wantsGraphiql(req) ? send(res) : next()));
  return router;
}

/**
 * A browser navigating to the endpoint (it prefers HTML; `?query=` then fills the editor).
 * GraphQL clients, GET queries included, ask for JSON and go on to GraphQL.
 */
function wantsGraphiql(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // GraphiQL and Monaco set inline styles.
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self' ws: wss:",
].join('; ');
