import type { WebSocket } from 'ws';

/** What the API hears of a client that broke the WebSocket protocol: `ws`'s code and sentence. */
export type ProtocolErrorListener = (socket: WebSocket, code: string, reason: string) => void;

/**
 * A client that breaks the WebSocket protocol (an unmasked frame, invalid UTF-8 in a text
 * frame, a bad opcode) makes `ws` close the socket with the matching status (1002, 1007, …) and
 * emit the error on the socket. graphql-ws would print each as "Internal error emitted on a
 * WebSocket socket. Please check your implementation." with a stack trace on stderr, outside
 * the log, for what is the client's fault. A `connection` listener: such an error (its code
 * starts with `WS_ERR_`) goes to `onError` as one line instead; any other error is passed on.
 */
export function protocolErrorsAsLogLines(onError: ProtocolErrorListener): (socket: WebSocket) => void {
  return (socket: WebSocket): void => {
    const emit = socket.emit.bind(socket);
    socket.emit = (event: string | symbol, ...args: unknown[]): boolean => {
      const err = args[0] as { code?: unknown; message?: unknown } | undefined;
      if (event === 'error' && typeof err?.code === 'string' && err.code.startsWith('WS_ERR_')) {
        onError(socket, err.code, String(err.message));
        return true;
      }
      return emit(event, ...args);
    };
  };
}
