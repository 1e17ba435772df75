// A real OpenID Provider (oidc-provider) on loopback for tests, run as its own process because
// oidc-provider is ESM-only. Its development login form accepts any login name; the account's
// claims derive from it (logins starting with "admin" are in the group "cmdx-admins").
// Env: OIDC_TEST_REDIRECT_URIS (comma-separated), OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET.
// Prints `OIDC issuer ready at <url>` once listening.
import Provider from 'oidc-provider';

const redirectUris = (process.env.OIDC_TEST_REDIRECT_URIS ?? '').split(',').filter(Boolean);
const port = Number(process.env.OIDC_TEST_PORT ?? 0);

const server = (await import('node:http')).createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_TEST_CLIENT_ID ?? 'cmdx-test',
      client_secret: process.env.OIDC_TEST_CLIENT_SECRET ?? 'cmdx-test-client-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['preferred_username', 'groups'], email: ['email'] },
  // The ID token carries the profile claims (the API reads groups from it, not from userinfo).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['oidc-test-cookie-key-not-a-secret'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, email: `${id}@example.test`, groups: id.startsWith('admin') ? ['cmdx-admins', 'staff'] : ['staff'] };
      },
    };
  },
});
provider.on('server_error', (_ctx, err) => process.stderr.write(`issuer server_error: ${err.stack}\n`));
server.on('request', provider.callback());
process.stdout.write(`OIDC issuer ready at ${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
