import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';

/** A socket that has sent nothing for this long is quiet: its next message is probably alone. */
const QUIET_MS = 5;

/**
 * Holds a socket's writes briefly, so that the messages one burst sends to one client (the
 * events of a batch of jobs, an answer and the assignments it frees) leave in one system call
 * instead of one each. `ws` corks around each frame's header and body already; this cork is
 * the outer one. No timer, no added latency:
 * - on a busy socket the cork is released on `process.nextTick`, once the work in progress and
 *   every promise callback it queued are done, so a whole batch leaves together;
 * - after a quiet spell it is released as a microtask, behind only the callbacks already
 *   queued: a lone assignment then leaves before the rest of the tick (the HTTP answer to the
 *   createJob that caused it, say) instead of after it, about 0.6 ms sooner.
 */
export function corkedSends(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || typeof raw.cork !== 'function') return;
  let corked = false;
  let releasedAt = -Infinity;
  const release = (): void => {
    corked = false;
    releasedAt = performance.now();
    if (!raw.destroyed) raw.uncork();
  };
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]): void => {
    if (!corked && !raw.destroyed) {
      corked = true;
      raw.cork();
      if (performance.now() - releasedAt >= QUIET_MS) queueMicrotask(release);
      else process.nextTick(release);
    }
    send(...args);
  }) as WebSocket['send'];
}
