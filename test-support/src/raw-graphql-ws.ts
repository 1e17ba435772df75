/**
 * A graphql-ws socket driven message by message (graphql-client.ts's `wsClient` hides the
 * protocol): for tests that send what a well-behaved client never would — oversized, malformed
 * or out-of-order messages — and assert on each message and the close code.
 */
import WebSocket from 'ws';

export interface RawGraphqlWsMessage {
  id?: string;
  type: string;
  payload?: unknown;
}

export interface RawGraphqlWs {
  ws: WebSocket;
  /** Every message received, parsed. */
  messages: RawGraphqlWsMessage[];
  /** Every message received, as text (to look for a value that must not be there). */
  raw: string[];
  /** Set once the server closed (or the socket failed). */
  closed?: { code: number; reason: string };
  /** Sends a string as it is, anything else as JSON. */
  send(msg: unknown): void;
  /** Polls `pred` until it holds or `ms` passed; resolves with its last value. */
  waitFor(pred: () => boolean, ms?: number): Promise<boolean>;
  /** Resolves with the close code and reason (or rejects after `ms`). */
  waitClosed(ms?: number): Promise<{ code: number; reason: string }>;
}

/**
 * Opens a socket on `wsUrl` with the graphql-transport-ws subprotocol. With `init`, sends
 * connection_init with it as payload and waits for the ack (or a close).
 */
export async function openRawGraphqlWs(wsUrl: string, init?: Record<string, unknown>): Promise<RawGraphqlWs> {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  const s: RawGraphqlWs = {
    ws,
    messages: [],
    raw: [],
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    waitFor: async (pred, ms = 10_000) => {
      const deadline = Date.now() + ms;
      while (!pred() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return pred();
    },
    waitClosed: async (ms = 10_000) => {
      if (!(await s.waitFor(() => s.closed !== undefined, ms))) throw new Error(`socket still open after ${ms} ms`);
      return s.closed!;
    },
  };
  ws.on('message', (data) => {
    const text = String(data);
    s.raw.push(text);
    s.messages.push(JSON.parse(text) as RawGraphqlWsMessage);
  });
  ws.on('close', (code, reason) => {
    s.closed = { code, reason: String(reason) };
  });
  // A server that closes first may make the client's own send fail: the close code says it all.
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  if (init) {
    s.send({ type: 'connection_init', payload: init });
    await s.waitFor(() => s.messages.some((m) => m.type === 'connection_ack') || s.closed !== undefined);
  }
  return s;
}
