import {
  applyChunks,
  applyEvents,
  initialLogState,
  lastAppliedSeq,
  logText,
  markTruncated,
  MAX_PENDING_CHUNKS,
  type LogChunkInput,
  type LogStreamName,
} from './log-reducer';

const chunk = (seq: number, data: string, stream: LogStreamName = 'STDOUT', attempt = 1): LogChunkInput => ({
  attempt,
  seq,
  stream,
  data,
});

const texts = (state: ReturnType<typeof initialLogState>) => state.lines.map((l) => l.text);

describe('log reducer', () => {
  it('splits chunk data into numbered lines', () => {
    const s = applyChunks(initialLogState(), [chunk(1, 'a\nb\nc\n')]);
    expect(texts(s)).toEqual(['a', 'b', 'c']);
    expect(s.lines.map((l) => l.number)).toEqual([1, 2, 3]);
    expect(s.lines.every((l) => !l.open)).toBe(true);
  });

  it('carries a partial last line into the next chunk of the same stream', () => {
    let s = applyChunks(initialLogState(), [chunk(1, 'hel')]);
    expect(s.lines).toEqual([expect.objectContaining({ text: 'hel', open: true, number: 1 })]);
    const id = s.lines[0]!.id;
    s = applyChunks(s, [chunk(2, 'lo\nwor')]);
    expect(texts(s)).toEqual(['hello', 'wor']);
    expect(s.lines[0]).toEqual(expect.objectContaining({ id, open: false }));
    s = applyChunks(s, [chunk(3, 'ld\n')]);
    expect(texts(s)).toEqual(['hello', 'world']);
    expect(s.lines.map((l) => l.open)).toEqual([false, false]);
  });

  it('keeps stdout and stderr partial lines apart', () => {
    const s = applyChunks(initialLogState(), [
      chunk(1, 'out-a'),
      chunk(2, 'err-a', 'STDERR'),
      chunk(3, 'out-b\n'),
      chunk(4, 'err-b\n', 'STDERR'),
    ]);
    expect(s.lines.map((l) => [l.stream, l.text])).toEqual([
      ['STDOUT', 'out-aout-b'],
      ['STDERR', 'err-aerr-b'],
    ]);
  });

  it('orders chunks by seq whatever order they arrive in', () => {
    const s = applyChunks(initialLogState(), [chunk(3, 'c\n'), chunk(1, 'a\n'), chunk(2, 'b\n')]);
    expect(texts(s)).toEqual(['a', 'b', 'c']);
    expect(lastAppliedSeq(s, 1)).toBe(3);
  });

  it('holds a chunk back until the gap before it is filled, across batches', () => {
    let s = applyChunks(initialLogState(), [chunk(1, 'a\n'), chunk(3, 'c\n')]);
    expect(texts(s)).toEqual(['a']);
    expect(lastAppliedSeq(s, 1)).toBe(1);
    s = applyChunks(s, [chunk(2, 'b\n')]);
    expect(texts(s)).toEqual(['a', 'b', 'c']);
  });

  it('drops duplicate chunks (same attempt and seq), applied or pending', () => {
    let s = applyChunks(initialLogState(), [chunk(1, 'a\n'), chunk(1, 'a\n'), chunk(3, 'c\n'), chunk(3, 'c\n')]);
    s = applyChunks(s, [chunk(2, 'b\n'), chunk(1, 'a\n'), chunk(2, 'b\n')]);
    expect(texts(s)).toEqual(['a', 'b', 'c']);
    // a reconnect replays everything again: nothing changes
    const again = applyChunks(s, [chunk(1, 'a\n'), chunk(2, 'b\n'), chunk(3, 'c\n')]);
    expect(texts(again)).toEqual(['a', 'b', 'c']);
    expect(again.size).toBe(s.size);
  });

  it('orders attempts before seqs and numbers lines per attempt', () => {
    let s = applyChunks(initialLogState(), [chunk(1, 'second-1\n', 'STDOUT', 2)]);
    s = applyChunks(s, [chunk(1, 'first-1\nfirst-2\n', 'STDOUT', 1), chunk(2, 'retrying\n', 'SYSTEM', 2)]);
    expect(s.lines.map((l) => [l.attempt, l.number, l.stream, l.text])).toEqual([
      [1, 1, 'STDOUT', 'first-1'],
      [1, 2, 'STDOUT', 'first-2'],
      [2, 1, 'STDOUT', 'second-1'],
      [2, 2, 'SYSTEM', 'retrying'],
    ]);
    expect(new Set(s.lines.map((l) => l.id)).size).toBe(4);
  });

  it('resumes after a given seq without waiting for earlier chunks', () => {
    let s = initialLogState({ afterSeq: { 1: 5 } });
    s = applyChunks(s, [chunk(5, 'old\n'), chunk(6, 'new\n')]);
    expect(texts(s)).toEqual(['new']);
    expect(lastAppliedSeq(s, 1)).toBe(6);
    expect(lastAppliedSeq(s, 2)).toBe(0);
  });

  it('treats CRLF as one line ending, even split across chunks', () => {
    const s = applyChunks(initialLogState(), [chunk(1, 'a\r\nb\r'), chunk(2, '\nc')]);
    expect(texts(s)).toEqual(['a', 'b', 'c']);
  });

  it('does not change earlier states (each batch returns a new state)', () => {
    const s1 = applyChunks(initialLogState(), [chunk(1, 'a')]);
    const s2 = applyChunks(s1, [chunk(2, 'b\n')]);
    expect(texts(s1)).toEqual(['a']);
    expect(s1.lines[0]!.open).toBe(true);
    expect(texts(s2)).toEqual(['ab']);
    expect(applyChunks(s2, [])).toBe(s2);
  });

  it('records truncation', () => {
    const s = initialLogState();
    expect(s.truncated).toBe(false);
    const t = markTruncated(s);
    expect(t.truncated).toBe(true);
    expect(markTruncated(t)).toBe(t);
    expect(initialLogState({ truncated: true }).truncated).toBe(true);
    // truncation survives later chunks
    expect(applyChunks(t, [chunk(1, 'x\n')]).truncated).toBe(true);
  });

  it('does not let a gap that never fills hide the tail forever', () => {
    const chunks = [chunk(1, 'first\n')];
    for (let seq = 3; seq <= MAX_PENDING_CHUNKS + 3; seq++) chunks.push(chunk(seq, `line ${seq}\n`));
    const s = applyChunks(initialLogState(), chunks);
    expect(s.lines[0]!.text).toBe('first');
    expect(s.lines[1]!.text).toBe('line 3');
    expect(s.lines.length).toBe(MAX_PENDING_CHUNKS + 2);
  });

  it('rebuilds the written text with logText', () => {
    const s = applyChunks(initialLogState(), [chunk(1, 'a\nb'), chunk(2, 'c\n', 'STDOUT'), chunk(3, 'tail')]);
    expect(logText(s)).toBe('a\nbc\ntail');
  });

  it('handles a large log in big batches quickly', () => {
    const chunks: LogChunkInput[] = [];
    const line = 'x'.repeat(99) + '\n';
    for (let seq = 1; seq <= 200; seq++) chunks.push(chunk(seq, line.repeat(1000)));
    const started = Date.now();
    let s = initialLogState();
    for (let i = 0; i < chunks.length; i += 10) s = applyChunks(s, chunks.slice(i, i + 10));
    expect(s.lines.length).toBe(200_000);
    expect(s.size).toBe(20_000_000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  describe('batched jobLogs events (each carries one or more chunks)', () => {
    it('continues an open line across the chunks of one event and into the next event', () => {
      let s = applyEvents(initialLogState(), [{ chunks: [chunk(1, 'hel'), chunk(2, 'lo\nwo')] }]);
      expect(s.lines.map((l) => [l.text, l.open])).toEqual([
        ['hello', false],
        ['wo', true],
      ]);
      s = applyEvents(s, [{ chunks: [chunk(3, 'rld\n'), chunk(4, 'bye\n')] }]);
      expect(texts(s)).toEqual(['hello', 'world', 'bye']);
      expect(lastAppliedSeq(s, 1)).toBe(4);
    });

    it('applies several events of one window in order, as one batch', () => {
      const s = applyEvents(initialLogState(), [{ chunks: [chunk(1, 'a\n'), chunk(2, 'b\n')] }, { chunks: [chunk(3, 'c\n')] }]);
      expect(texts(s)).toEqual(['a', 'b', 'c']);
    });

    it('takes only the new chunks of a replayed event that overlaps what is shown (a reconnect)', () => {
      let s = applyEvents(initialLogState(), [{ chunks: [chunk(1, 'a\n'), chunk(2, 'b\n')] }]);
      s = applyEvents(s, [{ chunks: [chunk(1, 'a\n'), chunk(2, 'b\n'), chunk(3, 'c\n')] }]);
      expect(texts(s)).toEqual(['a', 'b', 'c']);
      expect(s.size).toBe(6);
    });

    it('an event crossing into the next attempt numbers that attempt\'s lines from 1', () => {
      const s = applyEvents(initialLogState(), [{ chunks: [chunk(1, 'one\n'), chunk(2, 'retrying\n', 'SYSTEM'), chunk(1, 'two\n', 'STDOUT', 2)] }]);
      expect(s.lines.map((l) => [l.attempt, l.number, l.text])).toEqual([
        [1, 1, 'one'],
        [1, 2, 'retrying'],
        [2, 1, 'two'],
      ]);
    });
  });
});
