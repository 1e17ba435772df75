export interface WorkerView {
  name: string;
  labels: readonly string[];
  status: string;
  running: number;
  capacity: number;
}

/**
 * Why a job still waits, in one line: which labels it needs and how many online workers have
 * them ("waiting for a worker with labels gpu: none online").
 */
export function describeWait(requirements: readonly string[], workers: readonly WorkerView[]): string {
  const wanted = requirements.length > 0 ? `a worker with labels ${requirements.join(', ')}` : 'a worker';
  const able = workers.filter((w) => w.status === 'ONLINE' && requirements.every((r) => w.labels.includes(r)));
  if (able.length === 0) return `waiting for ${wanted}: none online`;
  const free = able.filter((w) => w.running < w.capacity).length;
  const online = `${able.length} online`;
  return free === 0 ? `waiting for ${wanted}: ${online}, all busy` : `waiting for ${wanted}: ${online}, ${free} with a free slot`;
}
