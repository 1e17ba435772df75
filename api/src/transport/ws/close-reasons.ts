import type { WebSocket } from 'ws';

/**
 * The reason sent with each close code. graphql-ws puts error messages and client-chosen ids
 * into some reasons (`Subscriber for <id> already exists`, an internal error's message outside
 * production), and a message can quote the client's input; a reason is for people reading a
 * trace, the code is what clients act on. Every reason is one of these fixed texts.
 */
const REASONS: Readonly<Record<number, string>> = {
  1000: 'Normal closure',
  1001: 'Going away',
  1009: 'Message too big',
  4400: 'Bad request',
  4401: 'Unauthorized',
  4403: 'Forbidden',
  4406: 'Subprotocol not acceptable',
  4408: 'Connection initialisation timeout',
  4409: 'Subscriber already exists',
  4429: 'Too many initialisation requests',
  4500: 'Internal server error',
};

/** Reasons of our own that say more than the code and quote nothing. */
const OWN_REASONS = new Set(['token expired']);

export function safeCloseReason(code: number | undefined, reason: string | Buffer | undefined): string {
  const text = typeof reason === 'string' ? reason : '';
  if (OWN_REASONS.has(text)) return text;
  return code === undefined ? '' : (REASONS[code] ?? '');
}

/** Every later `close` on `socket` (graphql-ws's included) sends a fixed reason for its code. */
export function guardCloseReasons(socket: WebSocket): void {
  const close = socket.close.bind(socket);
  socket.close = (code?: number, reason?: string | Buffer) => close(code, code === undefined ? undefined : safeCloseReason(code, reason));
}
