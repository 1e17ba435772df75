/** What a QUEUED job needs from a worker, and what the online workers offer. */
export interface WaitingNeeds {
  requirements: readonly string[];
  /** the sandbox the job asks for, when it asks for one */
  sandbox?: string | null;
}

export interface OnlineWorker {
  labels: readonly string[];
  sandboxes?: readonly string[];
}

/**
 * Why a QUEUED job is not being picked up, in one sentence for a person, or null when some
 * online worker could take it (it is then just waiting its turn). A worker can take a job when
 * it has every required label and offers the sandbox the job asks for.
 */
export function waitingReason(job: WaitingNeeds, online: readonly OnlineWorker[]): string | null {
  if (online.length === 0) return 'no worker is online';
  const labelled = online.filter((w) => job.requirements.every((r) => w.labels.includes(r)));
  if (labelled.length === 0) return `no online worker has labels ${job.requirements.join(', ')}`;
  if (job.sandbox && !labelled.some((w) => (w.sandboxes ?? []).includes(job.sandbox!))) {
    return `no online worker with labels ${job.requirements.join(', ') || '(none)'} offers the ${job.sandbox} sandbox`;
  }
  return null;
}
