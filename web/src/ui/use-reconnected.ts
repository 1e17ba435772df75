import { useEffect, useRef } from 'react';
import { useSession } from '../session/session';

/**
 * Runs `refetch` when the live socket comes back after a drop: subscriptions resume by
 * themselves, but whatever changed while it was down arrives only through a fresh query.
 */
export function useReconnected(refetch: () => void): void {
  const { live } = useSession();
  const callback = useRef(refetch);
  callback.current = refetch;
  useEffect(() => {
    let previous = live.get();
    return live.subscribe(() => {
      const now = live.get();
      if (previous === 'reconnecting' && now === 'connected') callback.current();
      previous = now;
    });
  }, [live]);
}
