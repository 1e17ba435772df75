import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { errorMessage } from '../client/api-errors';
import { graphql } from '../gql';
import { AUDIT_ACTIONS, actionLabel, detailText, targetText } from '../audit/audit-format';
import { formatTime } from '../jobs/job-format';
import { navigate, useRoute } from '../router/hash-router';
import { useSession } from '../session/session';

const PAGE_SIZE = 50;

const AuditLogDocument = graphql(`
  query AuditLog($first: Int, $after: String, $action: String, $actor: String) {
    auditLog(first: $first, after: $after, action: $action, actor: $actor) {
      edges {
        cursor
        node {
          id
          actorId
          actorName
          action
          targetId
          sourceAddress
          at
          details {
            name
            value
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/**
 * The audit trail (admins): who did what to which target, when, from which address; newest
 * first, filtered by action and actor (kept in the URL), more entries appended on demand.
 */
export function AuditPage() {
  const { user } = useSession();
  const route = useRoute();
  const action = route.query.get('action') || null;
  const actor = route.query.get('actor') || null;

  if (user?.role !== 'ADMIN') {
    return (
      <main id="main" tabIndex={-1} className="page">
        <h1>Audit log</h1>
        <p data-testid="audit-forbidden">The audit log is for admins only. Ask an admin if you need to know who did what.</p>
      </main>
    );
  }
  return (
    <main id="main" tabIndex={-1} className="page">
      <div className="page-head">
        <h1>Audit log</h1>
        <AuditFilters action={action} actor={actor} />
      </div>
      {/* a new filter starts from the newest entry again */}
      <AuditEntries key={`${action ?? ''}|${actor ?? ''}`} action={action} actor={actor} />
    </main>
  );
}

function filterHref(action: string | null, actor: string | null): string {
  const q = new URLSearchParams();
  if (action) q.set('action', action);
  if (actor) q.set('actor', actor);
  const s = q.toString();
  return s ? `/audit?${s}` : '/audit';
}

function AuditFilters({ action, actor }: { action: string | null; actor: string | null }) {
  const [actorText, setActorText] = useState(actor ?? '');
  useEffect(() => setActorText(actor ?? ''), [actor]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(filterHref(action, actorText.trim() || null));
  };
  return (
    <form className="toolbar audit-filters" onSubmit={submit} role="search" aria-label="Filter the audit log">
      {/* each label stays beside its control when the filters wrap on a phone */}
      <span className="field">
        <label htmlFor="audit-action">Action</label>
        <select id="audit-action" value={action ?? ''} onChange={(e) => navigate(filterHref(e.target.value || null, actor))}>
          <option value="">All</option>
          {AUDIT_ACTIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </span>
      <span className="field">
        <label htmlFor="audit-actor">Actor</label>
        <input id="audit-actor" value={actorText} placeholder="username or user id" maxLength={100} onChange={(e) => setActorText(e.target.value)} />
      </span>
      <button type="submit">Filter</button>
      {(action || actor) && (
        <button type="button" className="quiet" onClick={() => navigate('/audit')}>
          Clear
        </button>
      )}
    </form>
  );
}

function AuditEntries({ action, actor }: { action: string | null; actor: string | null }) {
  // One query per loaded page: the first (after = null), then each "Load more" appends the next.
  const [afters, setAfters] = useState<(string | null)[]>([null]);
  return (
    <div className="table-wrap">
      <table className="jobs audit">
        <caption className="sr-only">Audit log, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Target</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        {afters.map((after, i) => (
          <AuditChunk
            key={after ?? 'first'}
            after={after}
            action={action}
            actor={actor}
            first={i === 0}
            last={i === afters.length - 1}
            onMore={(cursor) => setAfters((a) => [...a, cursor])}
          />
        ))}
      </table>
    </div>
  );
}

function AuditChunk(props: { after: string | null; action: string | null; actor: string | null; first: boolean; last: boolean; onMore(cursor: string): void }) {
  const variables = useMemo(() => ({ first: PAGE_SIZE, after: props.after, action: props.action, actor: props.actor }), [props.after, props.action, props.actor]);
  const [{ data, error, fetching }] = useQuery({ query: AuditLogDocument, variables, requestPolicy: 'network-only' });
  const edges = data?.auditLog.edges ?? [];
  const pageInfo = data?.auditLog.pageInfo;
  return (
    <tbody aria-busy={fetching}>
      {error && (
        <tr>
          <td colSpan={5} className="error" role="alert">
            {errorMessage(error)}
          </td>
        </tr>
      )}
      {edges.map(({ node: e }) => (
        <tr key={e.id} data-audit-action={e.action} data-audit-actor={e.actorName ?? ''}>
          <td>
            <time dateTime={e.at}>{formatTime(e.at)}</time>
          </td>
          <td data-label="Who">{e.actorName ?? <span className="muted">unknown</span>}</td>
          <td data-label="What">
            {actionLabel(e.action)} <span className="muted small">{e.action}</span>
          </td>
          <td data-label="Target">
            {targetText(e.targetId, e.details)}
            {detailText(e.details) && <div className="muted small">{detailText(e.details)}</div>}
          </td>
          <td data-label="From">{e.sourceAddress ?? <span className="muted">—</span>}</td>
        </tr>
      ))}
      {props.first && !fetching && !error && edges.length === 0 && (
        <tr>
          <td colSpan={5} className="empty">
            No audit entries{props.action || props.actor ? ' match these filters' : ' yet'}.
          </td>
        </tr>
      )}
      {props.last && pageInfo?.hasNextPage && pageInfo.endCursor && (
        <tr>
          <td colSpan={5} className="empty">
            <button type="button" onClick={() => props.onMore(pageInfo.endCursor!)}>
              Load more
            </button>
          </td>
        </tr>
      )}
    </tbody>
  );
}
