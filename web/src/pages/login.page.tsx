import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { errorCode, errorMessage, retryAfterSeconds } from '../client/api-errors';
import { graphql } from '../gql';
import { navigate, useRoute } from '../router/hash-router';
import { useSession } from '../session/session';
import { oidcErrorSentence, oidcLoginHref, useOidcProvider } from '../session/sign-in-providers';
import { useNow } from '../ui/use-now';

const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      user {
        id
        username
        role
      }
    }
  }
`);

export function LoginPage() {
  const route = useRoute();
  const session = useSession();
  const [, login] = useMutation(LoginDocument);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [retryAt, setRetryAt] = useState<number | null>(null);
  // re-render every second while waiting; the count itself reads the clock
  useNow(1000, retryAt !== null);
  const alertRef = useRef<HTMLDivElement>(null);
  const expired = route.query.get('expired') === '1';
  const next = route.query.get('next') || '/jobs';
  const oidc = useOidcProvider();
  const oidcError = route.query.get('oidcError');

  useEffect(() => {
    if (error) alertRef.current?.focus();
  }, [error]);

  const waitSeconds = retryAt === null ? 0 : Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
  useEffect(() => {
    if (retryAt !== null && waitSeconds === 0) setRetryAt(null);
  }, [retryAt, waitSeconds]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await login({ username, password }, { requestPolicy: 'network-only' });
    setBusy(false);
    const user = result.data?.login.user;
    if (user) {
      session.signedIn(user, result.data?.login.token);
      navigate(next, { replace: true });
      return;
    }
    const code = errorCode(result.error);
    if (code === 'RATE_LIMITED') {
      const s = retryAfterSeconds(result.error) ?? 60;
      setRetryAt(Date.now() + s * 1000);
      const at = new Date(Date.now() + s * 1000).toLocaleTimeString();
      setError(`Too many sign-in attempts. Try again in ${s} s (at ${at}).`);
    } else if (code === 'UNAUTHENTICATED' || code === 'BAD_USER_INPUT') {
      setError('Wrong username or password.');
      setPassword('');
    } else {
      setError(errorMessage(result.error) || 'Sign-in failed.');
    }
  }

  return (
    <main id="main" tabIndex={-1} className="login">
      <form className="card login-form" onSubmit={onSubmit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to cmd-executor</h1>
        {expired && !error && (
          <p className="notice" role="status">
            Your session has expired. Sign in again to continue where you were.
          </p>
        )}
        {oidcError && !error && (
          <div className="error" role="alert" data-testid="oidc-error">
            {oidcErrorSentence(oidcError, oidc?.displayName)}
          </div>
        )}
        {error && (
          <div className="error" role="alert" tabIndex={-1} ref={alertRef} data-testid="login-error">
            {error}
            {retryAt !== null && waitSeconds > 0 && <span className="muted"> ({waitSeconds} s left)</span>}
          </div>
        )}
        <label htmlFor="login-username">Username</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          required
          autoFocus
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy || waitSeconds > 0}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {oidc && (
          <>
            <p className="login-or muted">or</p>
            <a className="button login-sso" href={oidcLoginHref(oidc, next)} data-testid="oidc-login">
              Sign in with {oidc.displayName}
            </a>
          </>
        )}
      </form>
    </main>
  );
}

