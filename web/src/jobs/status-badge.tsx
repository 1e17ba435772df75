import type { JobStatus, WorkerStatus } from '../gql/graphql';

const LABEL: Record<string, string> = { TIMED_OUT: 'timed out' };

export function StatusBadge({ status }: { status: JobStatus | WorkerStatus }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {LABEL[status] ?? status.toLowerCase()}
    </span>
  );
}
