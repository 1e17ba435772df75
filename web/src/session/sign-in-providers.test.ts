import { oidcErrorSentence, oidcLoginHref } from './sign-in-providers';

it('words every refusal as one sentence, and unknown codes too', () => {
  for (const r of ['access_denied', 'flow_expired', 'bad_state', 'issuer_unreachable', 'code_rejected', 'token_rejected', 'disabled', 'not_configured', 'something<script>']) {
    const s = oidcErrorSentence(r, 'Keycloak');
    expect(s).toMatch(/^[A-Z].*\.$/);
    expect(s).not.toContain('<script>');
  }
  expect(oidcErrorSentence('access_denied', 'Keycloak')).toBe('Sign-in was cancelled or refused at Keycloak.');
});

it('asks the API to come back to the page the user wanted', () => {
  expect(oidcLoginHref({ displayName: 'SSO', loginPath: '/auth/oidc/login' }, '/jobs/42')).toBe('http://localhost/auth/oidc/login?returnTo=%2F%23%2Fjobs%2F42');
});
