import { useEffect, useState } from 'react';
import { API } from '../client/api-endpoint';

/** The API's base address (where /auth/* lives), from its GraphQL endpoint. */
export const API_BASE = API.httpUrl.replace(/\/graphql$/, '');

export interface OidcProvider {
  displayName: string;
  loginPath: string;
}

/** The single sign-on provider the API offers, or null (none, or the API could not say). */
export function useOidcProvider(): OidcProvider | null {
  const [provider, setProvider] = useState<OidcProvider | null>(null);
  useEffect(() => {
    let live = true;
    fetch(`${API_BASE}/auth/config`, { credentials: 'include' })
      .then((r) => (r.ok ? (r.json() as Promise<{ oidc: OidcProvider | null }>) : { oidc: null }))
      .then((c) => live && setProvider(c.oidc), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return provider;
}

/** Where the sign-in button goes: the API's OIDC login, coming back to `next` in this app. */
export function oidcLoginHref(provider: OidcProvider, next: string): string {
  return `${API_BASE}${provider.loginPath}?returnTo=${encodeURIComponent(`/#${next.startsWith('/') ? next : '/jobs'}`)}`;
}

/** The login page's sentence for a refused OIDC sign-in (the API sends a reason code, never text). */
export function oidcErrorSentence(reason: string, provider = 'single sign-on'): string {
  switch (reason) {
    case 'access_denied':
      return `Sign-in was cancelled or refused at ${provider}.`;
    case 'flow_expired':
      return 'The sign-in took too long or was started in another window. Please try again.';
    case 'bad_state':
      return "The sign-in response did not belong to this browser's sign-in attempt. Please try again.";
    case 'issuer_unreachable':
      return `${provider} could not be reached. Try again later, or sign in with your password.`;
    case 'code_rejected':
    case 'token_rejected':
      return `The response from ${provider} could not be verified. Please try again.`;
    case 'disabled':
      return 'This account is disabled. Ask an administrator to enable it.';
    case 'not_configured':
      return 'Single sign-on is not configured on this server.';
    default:
      return `Sign-in with ${provider} failed. Please try again.`;
  }
}
