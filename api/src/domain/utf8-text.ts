import { isAscii } from 'node:buffer';

/**
 * UTF-8 bytes as text, exactly as `buf.toString('utf8')` (invalid sequences become U+FFFD).
 * Log output is nearly always pure ASCII, and V8's general UTF-8 decoder runs at a few hundred
 * MB/s where checking for ASCII and copying runs at several GB/s: on the log path (a worker's
 * `appendLogs` messages, chunks read back from the store) that difference is most of what the
 * decoding costs.
 */
export function utf8Text(buf: Buffer): string {
  // For ASCII bytes every decoding gives the same text; 'ascii' is Node's fastest copy.
  return isAscii(buf) ? buf.toString('ascii') : buf.toString('utf8');
}

