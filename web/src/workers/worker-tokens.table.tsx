import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { errorMessage } from '../client/api-errors';
import { graphql } from '../gql';
import { formatAgo, formatTime } from '../jobs/job-format';
import { ConfirmButton } from '../ui/confirm-button';
import { useNow } from '../ui/use-now';
import { CopyField } from './worker-token.form';

const WorkerTokensDocument = graphql(`
  query WorkerTokens {
    workerTokens {
      id
      name
      labels
      createdAt
      lastUsedAt
      expiresAt
      revokedAt
      rotatedAt
      previousValidUntil
    }
  }
`);

const RotateWorkerTokenDocument = graphql(`
  mutation RotateWorkerToken($id: ID!, $graceSeconds: Int) {
    rotateWorkerToken(id: $id, graceSeconds: $graceSeconds) {
      id
      token
      workerName
      installCommand
    }
  }
`);

const RevokeWorkerTokenDocument = graphql(`
  mutation RevokeWorkerToken($id: ID!) {
    revokeWorkerToken(id: $id)
  }
`);

/** The grace the UI gives a rotated-out token: time to redeploy agents with the new one. */
const GRACE_SECONDS = 3600;

/**
 * Admin: every worker token with its use and state, and rotate / revoke. A rotated token is
 * shown once, like a new one; the one it replaces keeps working for an hour.
 */
export function WorkerTokensTable({ refresh }: { refresh: number }) {
  const id = useId();
  const [{ data, error }, refetch] = useQuery({ query: WorkerTokensDocument, requestPolicy: 'cache-and-network' });
  const [, rotate] = useMutation(RotateWorkerTokenDocument);
  const [, revoke] = useMutation(RevokeWorkerTokenDocument);
  const [rotated, setRotated] = useState<{ token: string; workerName: string; installCommand: string } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const now = useNow(10_000);

  useEffect(() => {
    if (refresh > 0) refetch({ requestPolicy: 'network-only' });
  }, [refresh, refetch]);

  async function onRotate(tokenId: string) {
    setActionError(null);
    const result = await rotate({ id: tokenId, graceSeconds: GRACE_SECONDS });
    if (result.data) setRotated(result.data.rotateWorkerToken);
    else setActionError(errorMessage(result.error));
    refetch({ requestPolicy: 'network-only' });
  }

  async function onRevoke(tokenId: string) {
    setActionError(null);
    const result = await revoke({ id: tokenId });
    if (result.error) setActionError(errorMessage(result.error));
    refetch({ requestPolicy: 'network-only' });
  }

  const tokens = data?.workerTokens ?? [];
  return (
    <section className="card worker-tokens-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Worker tokens</h2>
      {(error || actionError) && (
        <div className="error" role="alert">
          {actionError ?? errorMessage(error)}
        </div>
      )}
      {rotated && (
        <div className="issued" data-testid="rotated-token">
          <p>
            New token for <strong>{rotated.workerName}</strong>. The old one keeps working for one hour: redeploy the agents with this one. It is shown only
            now: copy it.
          </p>
          <CopyField label="Token" value={rotated.token} />
          <CopyField label="Install and start an agent on another host (needs curl and Node ≥ 20)" value={rotated.installCommand} />
          <button type="button" onClick={() => setRotated(null)}>
            Done
          </button>
        </div>
      )}
      <div className="table-wrap">
        <table className="worker-tokens">
          <caption className="sr-only">Worker tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Labels</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => {
              const expired = t.expiresAt != null && Date.parse(t.expiresAt) <= now;
              const state = t.revokedAt ? 'revoked' : expired ? 'expired' : 'active';
              return (
                <tr key={t.id} data-token-row={t.name} data-state={state}>
                  <td>
                    <strong>{t.name}</strong>
                  </td>
                  <td>{t.labels.length ? t.labels.map((l) => <span className="label" key={l}>{l}</span>) : <span className="muted">—</span>}</td>
                  <td>
                    <time dateTime={t.createdAt}>{formatTime(t.createdAt)}</time>
                  </td>
                  <td>{t.lastUsedAt ? <time dateTime={t.lastUsedAt}>{formatAgo(t.lastUsedAt, now)}</time> : <span className="muted">never</span>}</td>
                  <td>{t.expiresAt ? <time dateTime={t.expiresAt}>{formatTime(t.expiresAt)}</time> : <span className="muted">never</span>}</td>
                  <td>
                    {t.revokedAt ? (
                      <>
                        revoked <time dateTime={t.revokedAt}>{formatTime(t.revokedAt)}</time>
                      </>
                    ) : expired ? (
                      'expired'
                    ) : (
                      'active'
                    )}
                    {!t.revokedAt && t.previousValidUntil && (
                      <div className="muted small">
                        previous token works until <time dateTime={t.previousValidUntil}>{formatTime(t.previousValidUntil)}</time>
                      </div>
                    )}
                  </td>
                  <td>
                    {!t.revokedAt && (
                      <>
                        <ConfirmButton
                          label={<>Rotate<span className="sr-only"> {t.name}</span></>}
                          question={
                            <>
                              Rotate <strong>{t.name}</strong>? You get a new token; the current one keeps working for one hour, then stops.
                            </>
                          }
                          confirmLabel="Rotate"
                          onConfirm={() => onRotate(t.id)}
                        />{' '}
                        <ConfirmButton
                          label={<>Revoke<span className="sr-only"> {t.name}</span></>}
                          question={
                            <>
                              Revoke <strong>{t.name}</strong>? Agents using it are disconnected at once and cannot reconnect.
                            </>
                          }
                          confirmLabel="Revoke"
                          danger
                          onConfirm={() => onRevoke(t.id)}
                        />
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
            {tokens.length === 0 && (
              <tr>
                <td colSpan={7} className="empty">
                  No worker tokens yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
