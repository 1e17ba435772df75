import { useMemo, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { errorMessage } from '../client/api-errors';
import { graphql } from '../gql';
import type { WorkerSummaryFragment } from '../gql/graphql';
import { formatAgo } from '../jobs/job-format';
import { StatusBadge } from '../jobs/status-badge';
import { useSession } from '../session/session';
import { ConfirmButton } from '../ui/confirm-button';
import { useNow } from '../ui/use-now';
import { useReconnected } from '../ui/use-reconnected';
import { WorkerTokenForm } from '../workers/worker-token.form';
import { WorkerTokensTable } from '../workers/worker-tokens.table';

graphql(`
  fragment WorkerSummary on Worker {
    id
    name
    hostname
    labels
    status
    running
    capacity
    version
    lastHeartbeatAt
    tokenName
  }
`);

const WorkersDocument = graphql(`
  query Workers {
    workers {
      ...WorkerSummary
    }
  }
`);

const WorkersLiveDocument = graphql(`
  subscription WorkersLive {
    workerUpdated {
      ...WorkerSummary
    }
  }
`);

const DrainWorkerDocument = graphql(`
  mutation DrainWorker($id: ID!) {
    drainWorker(id: $id) {
      ...WorkerSummary
    }
  }
`);

const RemoveWorkerDocument = graphql(`
  mutation RemoveWorker($id: ID!) {
    removeWorker(id: $id)
  }
`);

type Worker = WorkerSummaryFragment;

function newer(a: Worker, b: Worker): Worker {
  return (b.lastHeartbeatAt ?? '') >= (a.lastHeartbeatAt ?? '') ? b : a;
}

export function WorkersPage() {
  const { user } = useSession();
  const isAdmin = user?.role === 'ADMIN';
  const [{ data, error }, refetch] = useQuery({ query: WorkersDocument });
  useReconnected(() => refetch({ requestPolicy: 'network-only' }));
  const [live] = useSubscription({ query: WorkersLiveDocument }, (prev: Map<string, Worker> | undefined, e) => {
    const next = new Map(prev);
    next.set(e.workerUpdated.id, e.workerUpdated);
    return next;
  });
  const [, drain] = useMutation(DrainWorkerDocument);
  const [drained, setDrained] = useState<Map<string, Worker>>(new Map());
  const [, remove] = useMutation(RemoveWorkerDocument);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<string | null>(null);
  const now = useNow(1000);
  const [tokensChanged, setTokensChanged] = useState(0);

  const workers = useMemo(() => {
    const byId = new Map<string, Worker>();
    for (const w of data?.workers ?? []) byId.set(w.id, w);
    for (const source of [live.data, drained]) {
      for (const w of source?.values() ?? []) {
        const old = byId.get(w.id);
        byId.set(w.id, old ? newer(old, w) : w);
      }
    }
    // removed here; one that registers again later comes back with a newer heartbeat
    for (const id of removed) if (byId.get(id)?.status === 'OFFLINE') byId.delete(id);
    const order = { ONLINE: 0, DRAINING: 1, OFFLINE: 2 } as const;
    return [...byId.values()].sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name));
  }, [data, live.data, drained, removed]);

  async function onDrain(id: string) {
    setActionError(null);
    const result = await drain({ id });
    if (result.data) {
      const w = result.data.drainWorker;
      setDrained((m) => new Map(m).set(w.id, w));
    } else setActionError(errorMessage(result.error));
  }

  async function onRemove(id: string) {
    setActionError(null);
    const result = await remove({ id });
    if (result.data?.removeWorker) setRemoved((s) => new Set(s).add(id));
    else setActionError(errorMessage(result.error));
  }

  return (
    <main id="main" tabIndex={-1} className="page">
      <div className="page-head">
        <h1>Workers</h1>
      </div>
      {error && (
        <div className="error" role="alert">
          {errorMessage(error)}
        </div>
      )}
      {actionError && (
        <div className="error" role="alert">
          {actionError}
        </div>
      )}
      <div className="table-wrap">
        <table className="workers">
          <caption className="sr-only">Workers</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Status</th>
              <th scope="col">Labels</th>
              <th scope="col">Running</th>
              <th scope="col">Last heartbeat</th>
              <th scope="col">Host / version</th>
              {isAdmin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.id} data-worker={w.name} data-status={w.status}>
                <td>
                  <strong>{w.name}</strong>
                </td>
                <td data-token>{w.tokenName ?? <span className="muted">—</span>}</td>
                <td>
                  <StatusBadge status={w.status} />
                </td>
                <td>{w.labels.length ? w.labels.map((l) => <span className="label" key={l}>{l}</span>) : <span className="muted">—</span>}</td>
                <td>
                  <span aria-label={`${w.running} of ${w.capacity} slots busy`}>
                    {w.running}/{w.capacity}
                  </span>
                  <meter min={0} max={Math.max(1, w.capacity)} value={w.running} aria-hidden="true" />
                </td>
                <td>
                  {w.lastHeartbeatAt ? <time dateTime={w.lastHeartbeatAt}>{formatAgo(w.lastHeartbeatAt, now)}</time> : 'never'}
                </td>
                <td className="muted small">
                  {w.hostname ?? '—'}
                  {w.version ? ` · v${w.version}` : ''}
                </td>
                {isAdmin && (
                  <td>
                    {w.status === 'ONLINE' && (
                      <ConfirmButton
                        label={<>Drain<span className="sr-only"> {w.name}</span></>}
                        question={
                          <>
                            Drain <strong>{w.name}</strong>? It takes no new jobs; running jobs finish.
                          </>
                        }
                        confirmLabel="Drain"
                        onConfirm={() => onDrain(w.id)}
                      />
                    )}
                    {w.status === 'OFFLINE' && (
                      <ConfirmButton
                        label={<>Remove<span className="sr-only"> {w.name}</span></>}
                        question={
                          <>
                            Remove <strong>{w.name}</strong> from the list? If it connects again it registers afresh.
                          </>
                        }
                        confirmLabel="Remove"
                        danger
                        onConfirm={() => onRemove(w.id)}
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
            {workers.length === 0 && (
              <tr>
                <td colSpan={isAdmin ? 8 : 7} className="empty">
                  No workers have registered yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {isAdmin && <WorkerTokenForm onCreated={() => setTokensChanged((n) => n + 1)} />}
      {isAdmin && <WorkerTokensTable refresh={tokensChanged} />}
    </main>
  );
}
