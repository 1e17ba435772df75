/**
 * The JSON text of large GraphQL-over-WebSocket messages, shared by the API (log events to
 * subscribers) and the worker (log batches to the API): chunk text escaped fast, spliced into
 * the message as bytes, sent in a text frame without `ws` measuring the string again.
 */
export { pushJsonString } from './json-string';
export { SplicedJson, splicedJsonArray, spliceMessage } from './spliced-json';
export { textFrameBytes } from './text-frame-bytes';
export { sendArgs, textFrameSend, type SendCallback, type WsSend, type WsSendArgs } from './text-frame-send';
