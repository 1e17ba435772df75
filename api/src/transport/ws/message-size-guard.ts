import type { RawData, WebSocket } from 'ws';
import type { Principal } from '../../auth/principal';

/**
 * RFC 6455 "Message Too Big": what `ws` itself sends over `maxPayload`, and the WebSocket's
 * HTTP 413. The whole socket is refused, not one operation: the operation's id is inside the
 * message we decline to parse.
 */
export const MESSAGE_TOO_BIG = 1009;

/**
 * Bytes one graphql-ws message may have, by who sent it (the HTTP body limits' counterparts).
 * `unauthenticated` covers connection_init and anything sent before its ack; anonymous callers
 * can only log in, ask `me` and introspect; a signed-in user's largest real message is a
 * createJob (≤ 64 KiB command, ≤ 64 KiB env); a worker's log batch is ≤ 2 MiB of text, at most
 * 12 MiB of JSON (worker/src/output/log-streamer.ts).
 */
export const WS_MESSAGE_LIMITS = {
  unauthenticated: 64 * 1024,
  anonymous: 64 * 1024,
  user: 1024 * 1024,
  worker: 16 * 1024 * 1024,
} as const satisfies Record<'unauthenticated' | Principal['kind'], number>;

/**
 * `ws`'s `maxPayload` is one number per server, and who is calling is only known after
 * connection_init arrives on the socket itself, so the server's is the largest (a worker's) and
 * the socket's own limit is checked here, on each whole message, before graphql-ws sees it:
 * an over-limit message is dropped unparsed (its bytes were buffered by `ws`, never JSON-parsed
 * nor turned into a string) and the socket closed with 1009. Shrinking `ws`'s receiver limit per
 * socket would refuse sooner, but only through its private fields.
 */
export class MessageSizeGuard {
  private readonly limits = new WeakMap<WebSocket, number>();

  /** `onRefused` hears of each refusal: its size and the limit, never its content. */
  constructor(private readonly onRefused: (socket: WebSocket, bytes: number | undefined, limit: number) => void = () => undefined) {}

  /** A `connection` listener, registered before graphql-ws's (which reads `message` events). */
  readonly attach = (socket: WebSocket): void => {
    this.limits.set(socket, WS_MESSAGE_LIMITS.unauthenticated);
    let refused = false;
    const emit = socket.emit.bind(socket);
    socket.emit = (event: string | symbol, ...args: unknown[]): boolean => {
      if (event === 'error' && (args[0] as { code?: unknown } | undefined)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        // Over the server's maxPayload: `ws` stopped reading and is closing with 1009 already.
        // Not an internal error (graphql-ws would print it as one): the same refusal as ours.
        refused = true;
        this.onRefused(socket, undefined, WS_MESSAGE_LIMITS.worker);
        return true;
      }
      if (event !== 'message') return emit(event, ...args);
      if (refused) return false;
      const bytes = byteLength(args[0] as RawData);
      const limit = this.limitOf(socket);
      if (bytes > limit) {
        refused = true;
        socket.close(MESSAGE_TOO_BIG, 'Message too big');
        this.onRefused(socket, bytes, limit);
        return false;
      }
      return emit(event, ...args);
    };
  };

  /** Called once the handshake says who is calling, before the ack is sent. */
  admit(socket: WebSocket, principal: Principal): void {
    this.limits.set(socket, WS_MESSAGE_LIMITS[principal.kind]);
  }

  limitOf(socket: WebSocket): number {
    return this.limits.get(socket) ?? WS_MESSAGE_LIMITS.unauthenticated;
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, part) => n + part.length, 0);
  return data.byteLength;
}
