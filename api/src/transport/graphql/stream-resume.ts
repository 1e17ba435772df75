import type { LiveIterator, PubSubPort, ResumeEvent } from '../../storage/pubsub';

/**
 * PubSubPort.onResume as one subscription on `topic` sees it: the live connection's losses, a
 * failed publish of its own topic (not every other topic's), and — when its channel went live
 * later than the subscription waited for it (`liveInTime` false) — once when it does, since
 * `startedAt`: what changed before then was never delivered.
 */
export function streamResume(
  pubsub: PubSubPort,
  topic: string,
  live: { source: LiveIterator<unknown>; liveInTime: boolean; startedAt: Date },
): (listener: (event: ResumeEvent) => void) => () => void {
  return (listener) => {
    const off = pubsub.onResume((event) => {
      if (event.topic === undefined || event.topic === topic) listener(event);
    });
    let open = true;
    if (!live.liveInTime) {
      live.source.ready.then(
        () => open && listener({ since: live.startedAt }),
        () => undefined,
      );
    }
    return () => {
      open = false;
      off();
    };
  };
}
