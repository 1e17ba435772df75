/**
 * What dispatch reports of the store work it does, for metrics: how many claims it ran (and
 * whether they took anything) and how many reads of workers' slots. A fleet of idle workers
 * should cost neither; these counts show whether it does.
 */
export interface DispatchObserver {
  /** One claim round for one worker: `jobs` taken (0: it came back empty). */
  claimed(jobs: number): void;
  /** One read of the store for the slots of `workers` workers. */
  slotsRead(workers: number): void;
}

export const NO_DISPATCH_OBSERVER: DispatchObserver = {
  claimed: () => undefined,
  slotsRead: () => undefined,
};
