import { useEffect, useRef, useSyncExternalStore } from 'react';
import { AuditPage } from './pages/audit.page';
import { JobPage } from './pages/job.page';
import { JobsPage } from './pages/jobs.page';
import { LoginPage } from './pages/login.page';
import { WorkersPage } from './pages/workers.page';
import { API } from './client/api-endpoint';
import { Link, matchPath, navigate, useRoute } from './router/hash-router';
import { SessionProvider, loginHref, useSession } from './session/session';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const route = useRoute();
  const { state, user, logout, live } = useSession();
  const liveState = useSyncExternalStore(live.subscribe, live.get);
  const onLogin = route.path === '/login';

  // Not signed in: everything but the login page sends you there (and back afterwards).
  useEffect(() => {
    if (state.status === 'anonymous' && !onLogin) navigate(loginHref(route.href, state.expired), { replace: true });
    if (state.status === 'user' && (onLogin || route.path === '/')) navigate(route.query.get('next') || '/jobs', { replace: true });
  }, [state, onLogin, route]);

  // After a client-side navigation, start keyboard and screen-reader users at the new page
  // (the link they used may be gone). The first load, and arriving from the sign-in form,
  // start at the top like a full page load (skip link first).
  const previousPath = useRef(route.path);
  useEffect(() => {
    // `/` only redirects: it is not a page anyone was on
    if (route.path === '/') return;
    const from = previousPath.current;
    previousPath.current = route.path;
    if (from === route.path || route.path === '/login') return;
    if (from === '/login') document.getElementById('top')?.focus({ preventScroll: true });
    else document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.path]);

  useEffect(() => {
    const page = route.path.split('/')[1] || 'jobs';
    document.title = `${page[0]!.toUpperCase()}${page.slice(1)} · cmd-executor`;
  }, [route.path]);

  if (state.status === 'loading') return <p className="loading muted">Loading…</p>;
  if (state.status === 'anonymous' || !user) return onLogin ? <LoginPage /> : null;

  const jobMatch = matchPath('/jobs/:id', route.path);
  let page;
  if (jobMatch) page = <JobPage key={jobMatch.id} id={jobMatch.id!} />;
  else if (route.path === '/workers') page = <WorkersPage />;
  else if (route.path === '/jobs') page = <JobsPage />;
  else if (route.path === '/audit') page = <AuditPage />;
  else
    page = (
      <main id="main" tabIndex={-1} className="page">
        <h1>Not found</h1>
        <Link to="/jobs">Go to jobs</Link>
      </main>
    );

  const section = route.path.startsWith('/workers') ? 'workers' : route.path.startsWith('/audit') ? 'audit' : 'jobs';
  return (
    <>
      {/* focus target for "start of the page" (tabIndex -1: not a Tab stop itself) */}
      <div id="top" tabIndex={-1} className="focus-anchor" />
      <a href="#main" className="skip-link" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">cmd-executor</span>
        <nav aria-label="Main">
          <Link to="/jobs" aria-current={section === 'jobs' ? 'page' : undefined}>
            Jobs
          </Link>
          <Link to="/workers" aria-current={section === 'workers' ? 'page' : undefined}>
            Workers
          </Link>
          {user.role === 'ADMIN' && (
            <Link to="/audit" aria-current={section === 'audit' ? 'page' : undefined}>
              Audit
            </Link>
          )}
          {/* served by the API; off in production unless GRAPHQL_PLAYGROUND=true */}
          <a href={API.graphiqlUrl} target="_blank" rel="noopener" title="GraphQL API explorer (schema docs, queries, subscriptions)">
            GraphiQL
          </a>
        </nav>
        <span className={`live live-${liveState}`} role="status" aria-live="polite" data-testid="live-state">
          {liveState === 'connected' ? 'Live' : liveState === 'reconnecting' ? 'Reconnecting…' : ''}
        </span>
        <span className="who">
          {user.username}
          {user.role === 'ADMIN' && <span className="label">admin</span>}
        </span>
        <button type="button" className="quiet" onClick={() => void logout()}>
          Sign out
        </button>
      </header>
      {page}
    </>
  );
}
