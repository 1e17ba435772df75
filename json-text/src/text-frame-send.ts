import { textFrameBytes } from './text-frame-bytes';

/** The completion callback of `ws`'s `send`. */
export type SendCallback = (err?: Error) => void;

/** `ws`'s `send` with both optional parts given. */
export type WsSend = (data: unknown, options: object, cb?: SendCallback) => void;

/** `ws`'s `send(data, [options], [cb])` as callers may call it. */
export type WsSendArgs = (data: unknown, optionsOrCb?: unknown, cb?: SendCallback) => void;

/**
 * `ws`'s `send(data, [options], [cb])` as its two optional parts, for the wrappers that replace
 * a socket's `send` and pass both on.
 */
export function sendArgs(optionsOrCb: unknown, cb: SendCallback | undefined): { options: object; callback: SendCallback | undefined } {
  if (typeof optionsOrCb === 'function') return { options: {}, callback: optionsOrCb as SendCallback };
  return { options: (optionsOrCb as object | undefined) ?? {}, callback: cb };
}

/**
 * A socket's `send` over `send`: a string that `textFrameBytes` turns into bytes goes out as
 * those bytes in a text frame, anything else as it came. The API wraps its sockets' `send` with
 * it, and the worker's WebSocket sends through it.
 */
export function textFrameSend(send: WsSend): WsSendArgs {
  return (data, optionsOrCb, cb) => {
    const { options, callback } = sendArgs(optionsOrCb, cb);
    const bytes = typeof data === 'string' ? textFrameBytes(data) : undefined;
    if (bytes) send(bytes, { ...options, binary: false }, callback);
    else send(data, options, callback);
  };
}
