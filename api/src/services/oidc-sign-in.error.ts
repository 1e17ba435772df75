/**
 * Why an OIDC sign-in was refused. The reason travels to the login page as a code the page turns
 * into a sentence; details (library messages, issuer responses) stay in the server log.
 */
export type OidcRefusal =
  | 'not_configured'
  | 'flow_expired'
  | 'bad_state'
  | 'access_denied'
  | 'issuer_error'
  | 'issuer_unreachable'
  | 'code_rejected'
  | 'token_rejected'
  | 'disabled';

export class OidcSignInError extends Error {
  constructor(
    readonly reason: OidcRefusal,
    readonly detail?: string,
  ) {
    super(`OIDC sign-in refused: ${reason}`);
    this.name = 'OidcSignInError';
  }
}
