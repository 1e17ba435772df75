import type * as OpenId from 'openid-client' with { 'resolution-mode': 'import' };
import type { Logger } from '../logger';
import type { UserDoc } from '../storage/repositories/documents';
import type { AuditService } from './audit.service';
import { OidcAccounts, type OidcRoleRule } from './oidc-accounts';
import { flowKey, safeReturnTo, signFlow, verifyFlow } from './oidc-flow';
import { OidcSignInError } from './oidc-sign-in.error';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  displayName: string;
  roleRule: OidcRoleRule;
  /** Plain-http issuers are accepted outside production only (a local test issuer). */
  allowHttpIssuer: boolean;
}

type OpenIdClient = typeof OpenId;

/**
 * openid-client 6 is ESM-only: loaded with require() (Node ≥ 20.19) when OIDC is configured,
 * so an API without OIDC never loads it.
 */
function openIdClient(): OpenIdClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('openid-client') as OpenIdClient;
}

/** Authorization code flow with PKCE, state and nonce, against one configured issuer. */
export class OidcService {
  private readonly client: OpenIdClient;
  private readonly accounts: OidcAccounts;
  private readonly key: Buffer;
  private discovered?: Promise<OpenId.Configuration>;

  constructor(
    readonly settings: OidcSettings,
    sessionSecret: string,
    audit: AuditService,
    private readonly logger: Logger,
  ) {
    this.client = openIdClient();
    this.accounts = new OidcAccounts(audit, settings.roleRule);
    this.key = flowKey(sessionSecret);
  }

  /** The issuer's authorization URL and the flow cookie that the callback will check. */
  async begin(returnTo: unknown): Promise<{ authorizationUrl: string; flowCookie: string }> {
    const config = await this.configuration();
    const c = this.client;
    const codeVerifier = c.randomPKCECodeVerifier();
    const flow = { state: c.randomState(), nonce: c.randomNonce(), codeVerifier, returnTo: safeReturnTo(returnTo) };
    const url = c.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid profile email',
      code_challenge: await c.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { authorizationUrl: url.href, flowCookie: signFlow(flow, this.key) };
  }

  /**
   * Checks the callback (`currentUrl` is the redirect URI with the issuer's query) against the
   * flow cookie, redeems the code, and returns the signed-in user and where to send them.
   */
  /** `from`: the callback request's client address (the sign-in is audited with it). */
  async complete(currentUrl: URL, flowCookie: string | undefined, from?: string): Promise<{ user: UserDoc; created: boolean; returnTo: string }> {
    const flow = verifyFlow(flowCookie, this.key);
    if (!flow) throw new OidcSignInError('flow_expired');
    if (currentUrl.searchParams.get('state') !== flow.state) throw new OidcSignInError('bad_state');
    const error = currentUrl.searchParams.get('error');
    if (error) throw new OidcSignInError(error === 'access_denied' ? 'access_denied' : 'issuer_error', error);

    const config = await this.configuration();
    let tokens: OpenId.TokenEndpointResponse & OpenId.TokenEndpointResponseHelpers;
    try {
      tokens = await this.client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw this.refusal(err);
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcSignInError('token_rejected', 'no ID token');
    const { user, created } = await this.accounts.signIn({ issuer: config.serverMetadata().issuer, subject: claims.sub, claims: claims as Record<string, unknown> }, from);
    return { user, created, returnTo: flow.returnTo };
  }

  /** Discovery once; a failure is not cached, so an issuer that comes back is used again. */
  private configuration(): Promise<OpenId.Configuration> {
    this.discovered ??= (async () => {
      const c = this.client;
      const secure = new URL(this.settings.issuer).protocol === 'https:';
      const auth = this.settings.clientSecret ? undefined : c.None();
      try {
        return await c.discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, auth, {
          execute: !secure && this.settings.allowHttpIssuer ? [c.allowInsecureRequests] : [],
          timeout: 10,
        });
      } catch (err) {
        this.discovered = undefined;
        this.logger.warn({ err: describe(err), issuer: this.settings.issuer }, 'OIDC discovery failed');
        throw new OidcSignInError('issuer_unreachable', describe(err));
      }
    })();
    return this.discovered;
  }

  private refusal(err: unknown): OidcSignInError {
    const c = this.client;
    if (err instanceof c.AuthorizationResponseError) {
      return new OidcSignInError(err.error === 'access_denied' ? 'access_denied' : 'issuer_error', err.error);
    }
    // invalid_grant: a used, expired or foreign code, or a PKCE verifier that does not match.
    if (err instanceof c.ResponseBodyError) return new OidcSignInError('code_rejected', err.error);
    // The library's own checks: issuer, audience, nonce, signature, `iss` parameter.
    if (err instanceof c.ClientError) return new OidcSignInError('token_rejected', `${err.code ?? ''} ${err.message}`.trim());
    return new OidcSignInError('issuer_unreachable', describe(err));
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.name}: ${err.message}${cause}`.slice(0, 300);
}
