import { textFrameSend, type WsSend } from '@cmd-executor/json-text';
import type { WebSocket } from 'ws';
import { utf8Text } from '../../domain/utf8-text';

/**
 * graphql-ws speaks JSON text; on a worker's log batches (up to 12 MiB of JSON) and the log
 * events sent to subscribers, turning that text into bytes and back is a large share of the
 * server's work per byte. A `connection` listener, registered before the size guard (whose
 * wrapper then runs first and sees the raw bytes):
 * - an incoming message reaches graphql-ws already decoded, through the ASCII fast path
 *   (graphql-ws would `String(buffer)` it with the general decoder; the text is the same);
 * - a large outgoing string goes to `ws` as its UTF-8 bytes in a text frame: given a string,
 *   `ws` counts its UTF-8 length (slow outside optimised code) and the socket encodes it again;
 * - a message holding a spliced array (a log event's chunks, @cmd-executor/json-text) goes out
 *   as the bytes with the array's pieces written in.
 */
export function fastTextFrames(socket: WebSocket): void {
  const emit = socket.emit.bind(socket);
  socket.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'message' && Buffer.isBuffer(args[0])) return emit(event, utf8Text(args[0]), ...args.slice(1));
    return emit(event, ...args);
  };
  socket.send = textFrameSend(socket.send.bind(socket) as WsSend) as WebSocket['send'];
}
