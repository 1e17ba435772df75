import { sendArgs, type SendCallback } from '@cmd-executor/json-text';
import type { WebSocket } from 'ws';

/** What a write reports when the other end has already gone (closed tab, killed agent, reset). */
const PEER_GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * A message sent to a client that vanished a moment earlier fails with EPIPE or ECONNRESET.
 * graphql-ws treats any failed send as a fault of the server ("Internal error occurred during
 * message handling. Please check your implementation.", with a stack trace on stderr), though
 * nothing is wrong: the socket's close follows and ends its operations as for any disconnect.
 * Such a send is reported to its caller as done; any other failure is passed on unchanged.
 */
export function settleSendsToGonePeers(socket: WebSocket): void {
  const send = socket.send.bind(socket) as (data: unknown, options: unknown, cb?: SendCallback) => void;
  socket.send = ((data: unknown, optionsOrCb?: unknown, cb?: SendCallback): void => {
    const { options, callback } = sendArgs(optionsOrCb, cb);
    if (!callback) return send(data, options);
    send(data, options, (err?: Error) => callback(err && peerGone(socket, err) ? undefined : err));
  }) as WebSocket['send'];
}

function peerGone(socket: WebSocket, err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && PEER_GONE.has(code)) || socket.readyState !== socket.OPEN;
}
