/** The completion callback of `ws`'s `send`. */
export type SendCallback = (err?: Error) => void;

/**
 * `ws`'s `send(data, [options], [cb])` as its two optional parts, for the wrappers that replace
 * a socket's `send` (text-frames.ts, gone-peer-sends.ts) and pass both on.
 */
export function sendArgs(optionsOrCb: unknown, cb: SendCallback | undefined): { options: object; callback: SendCallback | undefined } {
  if (typeof optionsOrCb === 'function') return { options: {}, callback: optionsOrCb as SendCallback };
  return { options: (optionsOrCb as object | undefined) ?? {}, callback: cb };
}
