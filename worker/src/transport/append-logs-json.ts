import { pushJsonString, SplicedJson } from '@cmd-executor/json-text';
import type { LogChunkOut } from '../output/log-streamer';
import type { JobAttempt } from './operations';

/** One attempt's chunks in an appendLogsBatch call. */
export type AttemptLogs = JobAttempt & { chunks: LogChunkOut[] };

/**
 * appendLogsBatch's `batches` variable, written into the message's bytes when it is sent
 * (@cmd-executor/json-text): the chunks' text is held as bytes until acknowledged
 * (log-streamer.ts), and its JSON is made from them then, each chunk escaped on its own, and
 * dropped once written. The text the server parses is what JSON.stringify would give for
 * `{ jobId, attempt, chunks: [{ seq, stream, at, data }] }` with the text decoded.
 */
export function appendLogsBatchesJson(batches: readonly AttemptLogs[]): SplicedJson {
  return new SplicedJson(() => {
    const parts = ['['];
    for (let i = 0; i < batches.length; i += 1) {
      const b = batches[i]!;
      parts.push(`${i > 0 ? ',' : ''}{"jobId":${JSON.stringify(b.jobId)},"attempt":${JSON.stringify(b.attempt)},"chunks":[`);
      for (let j = 0; j < b.chunks.length; j += 1) {
        const c = b.chunks[j]!;
        parts.push(`${j > 0 ? ',' : ''}{"seq":${JSON.stringify(c.seq)},"stream":${JSON.stringify(c.stream)},"at":${JSON.stringify(c.at)},"data":`);
        pushJsonString(parts, c.data.toString('utf8'));
        parts.push('}');
      }
      parts.push(']}');
    }
    parts.push(']');
    return parts;
  });
}
