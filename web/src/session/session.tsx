import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { API } from '../client/api-endpoint';
import { createApiClient, type ApiClient } from '../client/create-api-client';
import { sessionToken } from '../client/session-token';
import { graphql } from '../gql';
import type { MeQuery } from '../gql/graphql';
import { currentHref, navigate } from '../router/hash-router';

export const MeDocument = graphql(`
  query Me {
    me {
      id
      username
      role
    }
  }
`);

export const LogoutDocument = graphql(`
  mutation Logout {
    logout
  }
`);

export type SessionUser = NonNullable<MeQuery['me']>;

export type SessionState =
  | { readonly status: 'loading' }
  | { readonly status: 'anonymous'; readonly expired: boolean }
  | { readonly status: 'user'; readonly user: SessionUser };

interface SessionApi {
  readonly state: SessionState;
  readonly live: ApiClient['live'];
  readonly user: SessionUser | null;
  /** `token`: the login's session token, kept in memory when the API is on another origin */
  signedIn(user: SessionUser, token?: string): void;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** where to go after signing in: the page the user was on, never the login page itself */
export function loginHref(next: string, expired: boolean): string {
  const q = new URLSearchParams();
  if (next && !next.startsWith('/login')) q.set('next', next);
  if (expired) q.set('expired', '1');
  const s = q.toString();
  return s ? `/login?${s}` : '/login';
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [epoch, setEpoch] = useState(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  const onUnauthenticated = useCallback(() => {
    const wasUser = stateRef.current.status === 'user';
    if (stateRef.current.status === 'anonymous') return;
    // several operations can fail at once: only the first one redirects
    const next: SessionState = { status: 'anonymous', expired: wasUser };
    sessionToken.set(undefined);
    stateRef.current = next;
    setState(next);
    setEpoch((e) => e + 1);
    navigate(loginHref(currentHref(), wasUser), { replace: true });
  }, []);

  const api: ApiClient = useMemo(
    () => createApiClient({ onUnauthenticated, ignoreUnauthenticatedFor: ['Login', 'Me', 'Logout'] }),
    // a new client (and WebSocket) per session epoch; onUnauthenticated is stable
    [epoch, onUnauthenticated],
  );
  // Close the previous session's socket once the new client is in place. (Not in an effect
  // cleanup: React's StrictMode runs those on a live client in development.)
  const previousApi = useRef<ApiClient | null>(null);
  useEffect(() => {
    const old = previousApi.current;
    previousApi.current = api;
    if (old && old !== api) old.dispose();
  }, [api]);

  // Who am I? Only once per page load; afterwards login/logout say it.
  useEffect(() => {
    if (state.status !== 'loading') return;
    let live = true;
    void api.client
      .query(MeDocument, {}, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (!live) return;
        const me = result.data?.me;
        setState(me ? { status: 'user', user: me } : { status: 'anonymous', expired: false });
      });
    return () => {
      live = false;
    };
  }, [api, state.status]);

  const signedIn = useCallback((user: SessionUser, token?: string) => {
    if (API.crossOrigin) sessionToken.set(token);
    setState({ status: 'user', user });
    setEpoch((e) => e + 1);
  }, []);

  const logout = useCallback(async () => {
    await api.client.mutation(LogoutDocument, {}).toPromise();
    sessionToken.set(undefined);
    setState({ status: 'anonymous', expired: false });
    setEpoch((e) => e + 1);
    navigate('/login');
  }, [api]);

  const value = useMemo<SessionApi>(
    () => ({ state, live: api.live, user: state.status === 'user' ? state.user : null, signedIn, logout }),
    [state, api, signedIn, logout],
  );

  return (
    <SessionContext.Provider value={value}>
      <Provider value={api.client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
