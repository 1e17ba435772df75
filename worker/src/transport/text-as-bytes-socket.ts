import { textFrameBytes } from '@cmd-executor/json-text';
import WebSocket from 'ws';

type SendCallback = (err?: Error) => void;

/**
 * The WebSocket the agent's graphql-ws client opens. graphql-ws hands `send` a string; a log
 * batch (appendLogsBatch, up to 12 MiB of JSON) holds a spliced value and goes out as the bytes
 * with its chunks written in, any other large message as its UTF-8 bytes, in a text frame either
 * way (@cmd-executor/json-text). Given the string, `ws` would first count its UTF-8 length, a
 * character at a time: 15% of the agent's CPU while a job wrote 100 MB. The server sends the
 * same way (api/src/transport/ws/text-frames.ts).
 */
export class TextAsBytesWebSocket extends WebSocket {
  override send(data: unknown, optionsOrCb?: unknown, cb?: SendCallback): void {
    const callback = typeof optionsOrCb === 'function' ? (optionsOrCb as SendCallback) : cb;
    const options = typeof optionsOrCb === 'object' && optionsOrCb !== null ? optionsOrCb : {};
    const bytes = typeof data === 'string' ? textFrameBytes(data) : undefined;
    if (bytes) super.send(bytes, { ...options, binary: false }, callback);
    else super.send(data as Buffer, options, callback);
  }
}
