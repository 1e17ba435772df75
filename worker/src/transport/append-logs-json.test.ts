import { spliceMessage } from '@cmd-executor/json-text';
import type { LogChunkOut } from '../output/log-streamer';
import { appendLogsBatchesJson } from './append-logs-json';

const chunk = (seq: number, text: string, stream: LogChunkOut['stream'] = 'STDOUT'): LogChunkOut => ({ seq, stream, data: Buffer.from(text, 'utf8'), at: '2026-12-07T02:00:00.000Z' });

describe('appendLogsBatchesJson', () => {
  it('sends what JSON.stringify of the batches with their text decoded would, whatever the text', () => {
    const batches = [
      { jobId: 'job-1', attempt: 2, chunks: [chunk(1, `${'y'.repeat(99)}\n`.repeat(700)), chunk(2, 'quote " backslash \\ tab \t ESC \u001b[31m', 'STDERR')] },
      { jobId: 'jöb-✓', attempt: 1, chunks: [chunk(7, 'héllo ✓ 日本語 😀\r\n'), chunk(8, '', 'SYSTEM')] },
      { jobId: 'job-3', attempt: 1, chunks: [] },
    ];
    const decoded = batches.map((b) => ({ jobId: b.jobId, attempt: b.attempt, chunks: b.chunks.map((c) => ({ seq: c.seq, stream: c.stream, at: c.at, data: c.data.toString('utf8') })) }));
    const message = { id: '1', type: 'subscribe', payload: { query: 'mutation', variables: { batches: decoded } } };
    const sent = spliceMessage(JSON.stringify({ ...message, payload: { ...message.payload, variables: { batches: appendLogsBatchesJson(batches) } } }));
    expect(sent?.toString('utf8')).toBe(JSON.stringify(message));
  });

  it('holds the chunks, not their JSON: a batch sent twice (after a reconnect) is written afresh', () => {
    const batches = [{ jobId: 'j', attempt: 1, chunks: [chunk(1, 'abc\n')] }];
    const value = appendLogsBatchesJson(batches);
    const first = spliceMessage(JSON.stringify({ v: value }))?.toString('utf8');
    expect(spliceMessage(JSON.stringify({ v: value }))?.toString('utf8')).toBe(first);
    expect(JSON.parse(first!).v[0].chunks[0].data).toBe('abc\n');
  });
});
