import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Holds a socket's writes until the end of the current tick, so that the messages one tick
 * sends to one client (the events of a batch of jobs, an answer and the assignments it frees)
 * leave in one system call instead of one each. `ws` corks around each frame's header and body
 * already; this cork is the outer one. Released on `process.nextTick`, which runs once the work
 * in progress (and the promise callbacks it queued) is done: no timer, no added latency.
 */
export function corkedSends(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || typeof raw.cork !== 'function') return;
  let corked = false;
  const release = (): void => {
    corked = false;
    if (!raw.destroyed) raw.uncork();
  };
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]): void => {
    if (!corked && !raw.destroyed) {
      corked = true;
      raw.cork();
      process.nextTick(release);
    }
    send(...args);
  }) as WebSocket['send'];
}
