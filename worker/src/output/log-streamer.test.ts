import { WorkerError } from '../errors';
import { LogStreamer, type AppendResult, type LogChunkOut, type LogSink } from './log-streamer';

/** A chunk as the sink got it, its text decoded. */
type SentChunk = Omit<LogChunkOut, 'data'> & { data: string };

/** A sink whose calls the test answers by hand. */
class ManualSink implements LogSink {
  readonly calls: { chunks: SentChunk[]; resolve(r: AppendResult): void; reject(e: unknown): void }[] = [];
  readonly stored = new Map<number, SentChunk>();
  inFlight = 0;
  maxInFlight = 0;

  append(chunks: LogChunkOut[]): Promise<AppendResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.calls.push({
        chunks: chunks.map((c) => ({ ...c, data: c.data.toString('utf8') })),
        resolve: (r) => {
          this.inFlight--;
          resolve(r);
        },
        reject: (e) => {
          this.inFlight--;
          reject(e);
        },
      });
    });
  }

  /** stores and acknowledges call i the way the server does */
  ack(i: number): void {
    const call = this.calls[i]!;
    for (const c of call.chunks) this.stored.set(c.seq, c);
    let acked = 0;
    while (this.stored.has(acked + 1)) acked++;
    call.resolve({ ackedSeq: acked, truncated: false });
  }
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Until `done()` holds (a flush is timer-driven: a loaded machine runs it late, not never). */
async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await tick(5);
  }
}
// The 25 ms flush grid is off here (its own test below turns it on): with it a chunk closes up
// to 45 ms after its first byte, past the 40 ms these tests wait.
const fast = { flushIntervalMs: 20, flushGridMs: 0, retry: { baseMs: 10, maxMs: 20 } };

describe('LogStreamer', () => {
  it('batches small writes within the flush interval into one chunk', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], fast);
    s.write('STDOUT', Buffer.from('a'));
    s.write('STDOUT', Buffer.from('b'));
    s.write('STDOUT', Buffer.from('c'));
    expect(sink.calls).toHaveLength(0);
    await until(() => sink.calls.length > 0);
    await tick(30); // nothing more comes: the three writes went as one chunk
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]!.chunks).toEqual([expect.objectContaining({ seq: 1, stream: 'STDOUT', data: 'abc' })]);
    sink.ack(0);
    await s.finish();
  });

  it('numbers chunks from 1 without gaps and keeps at most maxInFlight calls out', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], { ...fast, maxChunkBytes: 10, maxBatchChunks: 2, maxInFlight: 2 });
    s.write('STDOUT', Buffer.from('x'.repeat(100)));
    await tick();
    expect(sink.calls).toHaveLength(2);
    expect(sink.maxInFlight).toBe(2);
    const done = s.finish();
    for (let i = 0; i < sink.calls.length; i++) {
      sink.ack(i);
      await tick();
    }
    await done;
    expect(sink.maxInFlight).toBe(2);
    expect([...sink.stored.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect([...sink.stored.values()].map((c) => c.data).join('')).toBe('x'.repeat(100));
  });

  it('sends a batch that is not full only when no call is out; full batches use every slot', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], { ...fast, maxChunkBytes: 10, maxBatchChunks: 3, maxInFlight: 4 });
    const seqsOf = (i: number): number[] => sink.calls[i]!.chunks.map((c) => c.seq);
    s.write('STDOUT', Buffer.from('a'.repeat(10))); // chunk 1: nothing out, it goes at once
    s.write('STDOUT', Buffer.from('b'.repeat(10))); // chunk 2: a call is out, it waits for company
    expect(sink.calls.map((c, i) => seqsOf(i))).toEqual([[1]]);
    s.write('STDOUT', Buffer.from('c'.repeat(20))); // chunks 3-4: 2-4 make a full batch
    s.write('STDOUT', Buffer.from('d'.repeat(30))); // chunks 5-7: another full one
    expect(sink.calls.map((c, i) => seqsOf(i))).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    s.write('STDOUT', Buffer.from('e'.repeat(10))); // chunk 8 waits: calls are out
    await tick(40); // the flush timer does not send it either
    expect(sink.calls).toHaveLength(3);
    sink.ack(0);
    sink.ack(1);
    await tick();
    expect(sink.calls).toHaveLength(3); // one still out
    sink.ack(2);
    await tick();
    expect(seqsOf(3)).toEqual([8]); // none out: the partial batch goes
    s.write('STDOUT', Buffer.from('f'.repeat(10))); // chunk 9: one out again, it waits…
    expect(sink.calls).toHaveLength(4);
    const done = s.finish(); // …until the end, when everything goes
    expect(seqsOf(4)).toEqual([9]);
    sink.ack(3);
    sink.ack(4);
    await done;
    expect([...sink.stored.values()].sort((a, b) => a.seq - b.seq).map((c) => c.data[0]).join('')).toBe('abccdddef');
  });

  it('sends a backlog of small chunks in one call once the call out is answered (default batch limits)', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], { ...fast, maxChunkBytes: 10 });
    s.write('STDOUT', Buffer.from('a'.repeat(10))); // chunk 1 goes at once
    for (let i = 0; i < 30; i++) {
      s.write('STDOUT', Buffer.from('o'.repeat(10)));
      s.write('STDERR', Buffer.from('e'.repeat(10)));
    }
    await tick(40);
    expect(sink.calls).toHaveLength(1); // 60 chunks wait for the answer…
    sink.ack(0);
    await tick();
    expect(sink.calls).toHaveLength(2); // …and travel together
    expect(sink.calls[1]!.chunks.map((c) => c.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
    sink.ack(1);
    await s.finish();
  });

  it('finish() waits until the last chunk is acknowledged', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], fast);
    s.write('STDERR', Buffer.from('last words'));
    let finished = false;
    const done = s.finish().then(() => (finished = true));
    await tick(5);
    expect(sink.calls).toHaveLength(1);
    expect(finished).toBe(false);
    sink.ack(0);
    await done;
    expect(finished).toBe(true);
  });

  it('resends everything unacknowledged after a failed call, in order', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], { ...fast, maxChunkBytes: 4, maxBatchChunks: 1, maxInFlight: 3 });
    s.write('STDOUT', Buffer.from('aaaabbbbcccc'));
    await tick();
    expect(sink.calls.map((c) => c.chunks[0]!.seq)).toEqual([1, 2, 3]);
    sink.ack(0);
    sink.calls[1]!.reject(new WorkerError('DISCONNECTED', 'gone'));
    sink.ack(2); // stored, but ackedSeq stays 1 because 2 is missing
    await tick(40);
    expect(sink.calls.slice(3).map((c) => c.chunks[0]!.seq)).toEqual([2, 3]);
    const done = s.finish();
    sink.ack(3);
    sink.ack(4);
    await done;
    expect([...sink.stored.values()].sort((a, b) => a.seq - b.seq).map((c) => c.data)).toEqual(['aaaa', 'bbbb', 'cccc']);
  });

  it('resume() resends at once instead of waiting for the backoff', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], { flushIntervalMs: 1, retry: { baseMs: 60_000, maxMs: 60_000 } });
    s.write('STDOUT', Buffer.from('hi'));
    await until(() => sink.calls.length === 1);
    sink.calls[0]!.reject(new WorkerError('NOT_CONNECTED', 'down'));
    await tick(10);
    expect(sink.calls).toHaveLength(1);
    s.resume();
    expect(sink.calls).toHaveLength(2);
    const done = s.finish();
    sink.ack(1);
    await done;
  });

  it('on CONFLICT stops, rejects finish() and reports the lost lease once', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], fast);
    const lost = jest.fn();
    s.onLeaseLost = lost;
    s.write('STDOUT', Buffer.from('x'));
    await tick(40);
    const done = s.finish();
    sink.calls[0]!.reject(new WorkerError('CONFLICT', 'lease lost', { serverCode: 'CONFLICT' }));
    await expect(done).rejects.toThrow('lease lost');
    expect(lost).toHaveBeenCalledTimes(1);
    s.write('STDOUT', Buffer.from('more'));
    await tick(40);
    expect(sink.calls).toHaveLength(1);
  });

  it('puts SYSTEM lines in order between process output', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], fast);
    s.write('STDOUT', Buffer.from('before\n'));
    s.system('[cmd-executor] note');
    s.write('STDOUT', Buffer.from('after\n'));
    const done = s.finish();
    for (let i = 0; i < 5 && sink.stored.size < 3; i++) {
      for (let j = 0; j < sink.calls.length; j++) if (![...sink.stored.keys()].includes(sink.calls[j]!.chunks[0]!.seq)) sink.ack(j);
      await tick(5);
    }
    await done;
    expect([...sink.stored.values()].sort((a, b) => a.seq - b.seq).map((c) => [c.stream, c.data])).toEqual([
      ['STDOUT', 'before\n'],
      ['SYSTEM', '[cmd-executor] note\n'],
      ['STDOUT', 'after\n'],
    ]);
  });
});

describe('LogStreamer when the server refuses output', () => {
  it('gives up at once on a non-transient error instead of resending forever', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], fast);
    const lost = jest.fn();
    s.onLeaseLost = lost;
    s.write('STDOUT', Buffer.from('x'));
    const done = s.finish();
    await tick(5);
    sink.calls[0]!.reject(new WorkerError('SERVER', 'bad chunk', { serverCode: 'BAD_USER_INPUT' }));
    await expect(done).rejects.toThrow('output refused: bad chunk');
    await tick(40);
    expect(sink.calls).toHaveLength(1);
    expect(lost).not.toHaveBeenCalled();
  });

  it('keeps retrying a transient server error (RATE_LIMITED)', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], fast);
    s.write('STDOUT', Buffer.from('x'));
    const done = s.finish();
    await tick(5);
    sink.calls[0]!.reject(new WorkerError('SERVER', 'slow down', { serverCode: 'RATE_LIMITED' }));
    await tick(40);
    expect(sink.calls).toHaveLength(2);
    sink.ack(1);
    await done;
  });
});

describe('LogStreamer flow control', () => {
  const opts = { ...fast, maxChunkBytes: 10, maxBatchChunks: 1, maxInFlight: 2, maxBufferBytes: 100, highWaterBytes: 40, lowWaterBytes: 20 };

  it('while the server is reachable, pauses the sources at the high-water mark instead of dropping, and resumes at the low one', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], opts);
    const flow: boolean[] = [];
    s.onFlowChange = (f) => flow.push(f);
    s.write('STDOUT', Buffer.from('x'.repeat(30)));
    expect(flow).toEqual([]);
    s.write('STDOUT', Buffer.from('x'.repeat(10)));
    expect(flow).toEqual([false]);
    // a read already under way still lands, well past maxBufferBytes: nothing is dropped while connected
    s.write('STDOUT', Buffer.from('y'.repeat(100)));
    expect(s.stats.queuedBytes).toBe(140);
    expect(s.stats.dropped).toBe(0);
    // acks drain it: flowing again once at most 20 bytes are unacknowledged
    for (let i = 0; sink.stored.size < 12 && i < 50; i++) {
      for (let j = 0; j < sink.calls.length; j++) if (!sink.stored.has(sink.calls[j]!.chunks[0]!.seq)) sink.ack(j);
      await tick();
    }
    expect(flow).toEqual([false, true]);
    expect(s.stats.flowPaused).toBe(false);
    const done = s.finish();
    for (let i = 0; sink.stored.size < 14 && i < 50; i++) {
      for (let j = 0; j < sink.calls.length; j++) if (!sink.stored.has(sink.calls[j]!.chunks[0]!.seq)) sink.ack(j);
      await tick();
    }
    await done;
    expect([...sink.stored.values()].sort((a, b) => a.seq - b.seq).map((c) => c.data).join('')).toBe(`${'x'.repeat(40)}${'y'.repeat(100)}`);
  });

  it('once the connection is down, lets the sources flow into the bounded buffer, drops the excess, and notes it once after reconnecting', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], { ...opts, retry: { baseMs: 60_000, maxMs: 60_000 } });
    const flow: boolean[] = [];
    s.onFlowChange = (f) => flow.push(f);
    s.write('STDOUT', Buffer.from('x'.repeat(40)));
    expect(flow).toEqual([false]);
    sink.calls[0]!.reject(new WorkerError('DISCONNECTED', 'connection closed'));
    await tick();
    expect(flow).toEqual([false, true]);
    expect(s.stats.offline).toBe(true);
    s.write('STDOUT', Buffer.from('y'.repeat(60))); // fills the 100-byte buffer
    s.write('STDOUT', Buffer.from('z'.repeat(50))); // dropped
    s.write('STDOUT', Buffer.from('w'.repeat(10))); // would fit, but dropping goes on until the server is back
    expect(s.stats.dropped).toBe(60);
    expect(flow).toEqual([false, true]);
    sink.calls[1]!.reject(new WorkerError('NOT_CONNECTED', 'down'));
    await tick();
    s.resume();
    const done = s.finish();
    for (let i = 0; i < 50 && sink.stored.size < 11; i++) {
      for (let j = 2; j < sink.calls.length; j++) if (!sink.stored.has(sink.calls[j]!.chunks[0]!.seq)) sink.ack(j);
      await tick();
    }
    await done;
    const stored = [...sink.stored.values()].sort((a, b) => a.seq - b.seq);
    const notes = stored.filter((c) => c.stream === 'SYSTEM');
    expect(notes.map((c) => c.data)).toEqual([expect.stringContaining('60 bytes of output were dropped')]);
    expect(stored.filter((c) => c.stream === 'STDOUT').map((c) => c.data).join('')).toBe(`${'x'.repeat(40)}${'y'.repeat(60)}`);
  });

  it('stays offline when the first resend after a lost connection times out, and takes up the backpressure at the next answer', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], opts);
    const flow: boolean[] = [];
    s.onFlowChange = (f) => flow.push(f);
    s.write('STDOUT', Buffer.from('x'.repeat(40)));
    sink.calls[0]!.reject(new WorkerError('DISCONNECTED', 'connection closed'));
    sink.calls[1]!.reject(new WorkerError('DISCONNECTED', 'connection closed'));
    for (let i = 0; i < 100 && sink.calls.length < 4; i++) await tick(5); // the backoff, then the resend
    expect(sink.calls.slice(2).map((c) => c.chunks[0]!.seq)).toEqual([1, 2]);
    sink.calls[2]!.reject(new WorkerError('TIMEOUT', 'no answer'));
    sink.calls[3]!.reject(new WorkerError('TIMEOUT', 'no answer'));
    await tick();
    // No answer since the connection was lost: the output still runs into the buffer.
    expect(s.stats.offline).toBe(true);
    s.write('STDOUT', Buffer.from('y'.repeat(30)));
    expect(flow).toEqual([false, true]);
    expect(s.stats.dropped).toBe(0);
    for (let i = 0; i < 100 && sink.calls.length < 5; i++) await tick(5);
    sink.ack(4);
    await tick();
    expect(s.stats.offline).toBe(false);
    expect(flow).toEqual([false, true, false]);
    const done = s.finish();
    for (let i = 0; i < 100 && sink.stored.size < 7; i++) {
      for (let j = 5; j < sink.calls.length; j++) if (!sink.stored.has(sink.calls[j]!.chunks[0]!.seq)) sink.ack(j);
      await tick(5);
    }
    await done;
    expect([...sink.stored.values()].sort((a, b) => a.seq - b.seq).map((c) => c.data).join('')).toBe(`${'x'.repeat(40)}${'y'.repeat(30)}`);
  });

  it('keeps the backpressure through a slow server (TIMEOUT) and drops nothing', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], opts);
    const flow: boolean[] = [];
    s.onFlowChange = (f) => flow.push(f);
    s.write('STDOUT', Buffer.from('x'.repeat(40)));
    sink.calls[0]!.reject(new WorkerError('TIMEOUT', 'no answer'));
    sink.calls[1]!.reject(new WorkerError('TIMEOUT', 'no answer'));
    await tick();
    expect(flow).toEqual([false]);
    expect(s.stats.offline).toBe(false);
    s.write('STDOUT', Buffer.from('y'.repeat(200)));
    expect(s.stats.dropped).toBe(0);
    const done = s.finish();
    for (let i = 0; i < 100 && sink.stored.size < 24; i++) {
      for (let j = 2; j < sink.calls.length; j++) if (!sink.stored.has(sink.calls[j]!.chunks[0]!.seq)) sink.ack(j);
      await tick(5);
    }
    await done;
    expect([...sink.stored.values()].filter((c) => c.stream === 'SYSTEM')).toEqual([]);
    expect(sink.stored.size).toBe(24);
  });

  it('after the server says the log cap is reached, sends nothing new, gets what it sent acknowledged, and lets the sources flow', async () => {
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], opts);
    const flow: boolean[] = [];
    s.onFlowChange = (f) => flow.push(f);
    s.write('STDOUT', Buffer.from('x'.repeat(40)));
    expect(sink.calls).toHaveLength(2);
    sink.calls[0]!.resolve({ ackedSeq: 1, truncated: true });
    await tick();
    expect(flow).toEqual([false, true]);
    s.write('STDOUT', Buffer.from('y'.repeat(100)));
    s.system('[cmd-executor] cancel requested');
    const done = s.finish();
    sink.calls[1]!.resolve({ ackedSeq: 2, truncated: true });
    await done;
    expect(sink.calls.flatMap((c) => c.chunks.map((x) => x.seq))).toEqual([1, 2]);
    expect(s.truncated).toBe(true);
  });

  it('gives up after maxStalledResends answers with the same ackedSeq instead of resending forever', async () => {
    let calls = 0;
    const stuck: LogSink = {
      append: async () => {
        calls++;
        return { ackedSeq: 1, truncated: true };
      },
    };
    const s = new LogStreamer(stuck, [], { ...fast, maxChunkBytes: 4, maxStalledResends: 3 });
    s.write('STDOUT', Buffer.from('aaaabbbbcccc'));
    await expect(s.finish()).rejects.toThrow(/acknowledged seq 1 only after 3 resends/);
    const after = calls;
    expect(after).toBeLessThanOrEqual(1 + 3 * 3);
    await tick(60);
    expect(calls).toBe(after);
  });
});

describe('LogStreamer flush grid', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('closes the chunks of streamers whose first bytes came at different times on the same tick of the grid', async () => {
    jest.useFakeTimers({ now: 1_000_003 });
    const sinks = [new ManualSink(), new ManualSink()];
    const streamers = sinks.map((sink) => new LogStreamer(sink, [], { flushIntervalMs: 50, flushGridMs: 10 }));
    streamers[0]!.write('STDOUT', Buffer.from('a')); // due at 1_000_053 → the tick at 1_000_060
    jest.advanceTimersByTime(5);
    streamers[1]!.write('STDOUT', Buffer.from('b')); // due at 1_000_058 → the same tick
    jest.advanceTimersByTime(1_000_059 - Date.now());
    expect(sinks.map((s) => s.calls.length)).toEqual([0, 0]);
    jest.advanceTimersByTime(1);
    expect(sinks.map((s) => s.calls.length)).toEqual([1, 1]);
    expect(Date.now()).toBe(1_000_060);
    sinks.forEach((s) => s.ack(0));
    jest.useRealTimers();
    await Promise.all(streamers.map((s) => s.finish()));
  });

  it('with no grid, closes a chunk exactly the flush interval after its first byte', () => {
    jest.useFakeTimers({ now: 1_000_003 });
    const sink = new ManualSink();
    const s = new LogStreamer(sink, [], { flushIntervalMs: 50, flushGridMs: 0 });
    s.write('STDOUT', Buffer.from('a'));
    jest.advanceTimersByTime(49);
    expect(sink.calls).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(sink.calls).toHaveLength(1);
    s.abort(new Error('test over'));
  });
});

describe('the queued bytes', () => {
  it('are the text as UTF-8 in memory of their own, whatever the text', async () => {
    const sink = new RawSink();
    const s = new LogStreamer(sink, [], { flushIntervalMs: 1, flushGridMs: 0 });
    const text = 'a\tb "q" é€𝄞😀中文\n';
    s.write('STDOUT', Buffer.from(text));
    s.system('done');
    await s.finish();
    const chunks = sink.calls.flat();
    expect(chunks.map((c) => c.data.toString('utf8'))).toEqual([text, 'done\n']);
    // not slices of a shared pool: a small chunk kept waiting keeps only its own bytes alive
    for (const c of chunks) expect(c.data.buffer.byteLength).toBe(c.data.length);
  });
});

/** A sink that acknowledges every call at once and keeps what it was given, as given. */
class RawSink implements LogSink {
  readonly calls: LogChunkOut[][] = [];
  async append(chunks: LogChunkOut[]): Promise<AppendResult> {
    this.calls.push(chunks);
    return { ackedSeq: chunks[chunks.length - 1]!.seq, truncated: false };
  }
}
