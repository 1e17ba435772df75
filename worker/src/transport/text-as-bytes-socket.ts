import { textFrameSend, type SendCallback } from '@cmd-executor/json-text';
import WebSocket from 'ws';

/**
 * The WebSocket the agent's graphql-ws client opens. graphql-ws hands `send` a string; a log
 * batch (appendLogsBatch, up to 12 MiB of JSON) holds a spliced value and goes out as the bytes
 * with its chunks written in, any other large message as its UTF-8 bytes, in a text frame either
 * way (@cmd-executor/json-text's textFrameSend, as the server sends). Given the string, `ws`
 * would first count its UTF-8 length, a character at a time: 15% of the agent's CPU while a job
 * wrote 100 MB.
 */
export class TextAsBytesWebSocket extends WebSocket {
  private readonly sendAsTextFrames = textFrameSend((data, options, cb) => super.send(data as Buffer, options, cb));

  override send(data: unknown, optionsOrCb?: unknown, cb?: SendCallback): void {
    this.sendAsTextFrames(data, optionsOrCb, cb);
  }
}
