import { Router, type Request, type Response } from 'express';
import type { AppContainer } from '../../app-container';
import { AUTH_COOKIE } from '../../auth/credentials';
import { OIDC_FLOW_COOKIE, OIDC_FLOW_TTL_SECONDS } from '../../services/oidc-flow';
import { RateLimitedError, ServiceUnavailableError } from '../../errors';
import { OidcSignInError } from '../../services/oidc-sign-in.error';
import { clientAddress } from './client-address';
import { sendRateLimited } from './rate-limit-response';

const FLOW_COOKIE_PATH = '/auth/oidc';

/**
 * `GET /auth/config` (which sign-in methods the login page offers), and the OIDC login and
 * callback. Every refusal goes back to the login page with a reason code the page words;
 * nothing from the issuer or the library is shown to the user.
 */
export function oidcRouter(app: AppContainer): Router {
  const router = Router();
  const oidc = app.services.oidc;
  const { cookieSameSite, enforceTls, trustProxy } = app.config.http;

  // Every flow step is budgeted per address (429 + Retry-After past it), configured or not.
  router.use('/auth/oidc', (req: Request, res: Response, next) => {
    app.services.loginThrottle.admitOidc(clientAddress(req, trustProxy)).then(
      () => next(),
      (err: unknown) => {
        if (err instanceof RateLimitedError || err instanceof ServiceUnavailableError) sendRateLimited(res, err);
        else next(err);
      },
    );
  });

  router.get('/auth/config', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ oidc: oidc ? { displayName: oidc.settings.displayName, loginPath: '/auth/oidc/login' } : null });
  });

  const backToLogin = (res: Response, err: unknown): void => {
    const reason = err instanceof OidcSignInError ? err.reason : 'issuer_error';
    if (err instanceof OidcSignInError) app.logger.warn({ reason, detail: err.detail }, 'OIDC sign-in refused');
    else app.logger.error({ err }, 'OIDC sign-in failed');
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, `/#/login?oidcError=${encodeURIComponent(reason)}`);
  };

  if (!oidc) {
    router.get(['/auth/oidc/login', '/auth/oidc/callback'], (_req, res) => backToLogin(res, new OidcSignInError('not_configured')));
    return router;
  }
  const flowCookieSecure = enforceTls || new URL(oidc.settings.redirectUri).protocol === 'https:';

  router.get('/auth/oidc/login', (req: Request, res: Response) => {
    oidc.begin(req.query.returnTo).then(({ authorizationUrl, flowCookie }) => {
      // Lax: the issuer sends the browser back with a top-level GET from its own site.
      res.cookie(OIDC_FLOW_COOKIE, flowCookie, { httpOnly: true, sameSite: 'lax', secure: flowCookieSecure, path: FLOW_COOKIE_PATH, maxAge: OIDC_FLOW_TTL_SECONDS * 1000 });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, authorizationUrl);
    }, (err: unknown) => backToLogin(res, err));
  });

  router.get('/auth/oidc/callback', (req: Request, res: Response) => {
    // The configured redirect URI, not the Host header, is the URL the issuer was given.
    const current = new URL(oidc.settings.redirectUri);
    current.search = new URL(req.originalUrl, 'http://callback.invalid').search;
    // One attempt per flow: whatever happens next, the browser forgets it.
    res.clearCookie(OIDC_FLOW_COOKIE, { httpOnly: true, sameSite: 'lax', secure: flowCookieSecure, path: FLOW_COOKIE_PATH });
    oidc.complete(current, readCookie(req.headers.cookie, OIDC_FLOW_COOKIE), clientAddress(req, trustProxy)).then(({ user, created, returnTo }) => {
      const token = app.services.auth.issueSession(user);
      res.cookie(AUTH_COOKIE, token, {
        httpOnly: true,
        sameSite: cookieSameSite,
        // SameSite=None is only accepted by browsers with Secure, i.e. over TLS.
        secure: enforceTls || cookieSameSite === 'none',
        path: '/',
        maxAge: app.services.auth.jwtTtlSeconds * 1000,
      });
      app.logger.info({ userId: user.id, username: user.username, created }, 'OIDC sign-in');
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, returnTo);
    }, (err: unknown) => backToLogin(res, err));
  });
  return router;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
