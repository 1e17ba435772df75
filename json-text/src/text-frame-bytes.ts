import { spliceMessage } from './spliced-json';

/** Outgoing text from this size on is sent as UTF-8 bytes (below it the difference is noise). */
const BYTES_FROM = 16 * 1024;

/**
 * What a socket's `send` should give `ws` in a text frame for a message graphql-ws made:
 * - a message holding a spliced value (spliced-json.ts): the bytes with its parts written in;
 * - a large one: its UTF-8 bytes. Given a string, `ws` counts its UTF-8 length
 *   (`Buffer.byteLength`, slow on a string JSON.stringify built: it is flattened first) and
 *   then encodes it again (the socket's write, or `Buffer.from` for a masked client frame);
 * - otherwise undefined: the string goes out as it is.
 */
export function textFrameBytes(message: string): Buffer | undefined {
  return spliceMessage(message) ?? (message.length >= BYTES_FROM ? Buffer.from(message, 'utf8') : undefined);
}
