/**
 * Pure log model: LogChunks (as stored and streamed by the API) → display lines.
 *
 * Chunks arrive from a replay-then-live subscription, and a reconnect replays from the
 * original cursor again, so the same chunk can arrive twice and a live chunk can overtake
 * a replayed one. Chunks are therefore applied strictly in (attempt, seq) order: a chunk
 * ahead of the next expected seq waits in `pending`, one already applied is dropped.
 *
 * Chunk boundaries are not line boundaries: the unterminated tail of a chunk stays the
 * open line of its stream and the next chunk of the same stream continues it in place
 * (it is shown meanwhile, so `printf` output without a newline is visible at once).
 */

export type LogStreamName = 'STDOUT' | 'STDERR' | 'SYSTEM';

export interface LogChunkInput {
  readonly attempt: number;
  readonly seq: number;
  readonly stream: LogStreamName;
  readonly data: string;
}

export interface LogLine {
  /** stable across in-place updates of an open line: `${attempt}:${number}` */
  readonly id: string;
  readonly attempt: number;
  /** 1-based line number within the attempt */
  readonly number: number;
  readonly stream: LogStreamName;
  readonly text: string;
  /** no newline yet: the next chunk of the same stream may extend it */
  readonly open: boolean;
}

interface AttemptLog {
  readonly attempt: number;
  readonly nextSeq: number;
  /** chunks that arrived ahead of nextSeq, keyed by seq */
  readonly pending: ReadonlyMap<number, LogChunkInput>;
  readonly lines: readonly LogLine[];
  /** index in `lines` of each stream's open (unterminated) line */
  readonly openLine: Readonly<Partial<Record<LogStreamName, number>>>;
}

export interface LogState {
  /** every attempt's lines, attempts ascending */
  readonly lines: readonly LogLine[];
  readonly attempts: ReadonlyMap<number, AttemptLog>;
  readonly truncated: boolean;
  /** bytes of chunk data applied (UTF-16 code units; close enough for display) */
  readonly size: number;
}

/**
 * A gap that never fills would hold every later chunk back; past this many waiting
 * chunks the earliest is applied anyway (the API promises gap-free seqs, so this only
 * guards against a server fault hiding the live tail).
 */
export const MAX_PENDING_CHUNKS = 2000;

export interface InitialLogOptions {
  /** resume after these seqs (per attempt), e.g. when subscribing with `afterSeq` */
  readonly afterSeq?: Readonly<Record<number, number>>;
  readonly truncated?: boolean;
}

export function initialLogState(options: InitialLogOptions = {}): LogState {
  const attempts = new Map<number, AttemptLog>();
  for (const [attempt, seq] of Object.entries(options.afterSeq ?? {})) {
    attempts.set(Number(attempt), emptyAttempt(Number(attempt), seq + 1));
  }
  return { lines: [], attempts, truncated: options.truncated ?? false, size: 0 };
}

/** Apply a batch of chunks (any order, duplicates allowed); returns a new state. */
export function applyChunks(state: LogState, chunks: readonly LogChunkInput[]): LogState {
  if (chunks.length === 0) return state;
  const attempts = new Map(state.attempts);
  const touched = new Map<number, MutableAttempt>();
  let size = state.size;

  for (const chunk of chunks) {
    let work = touched.get(chunk.attempt);
    if (!work) {
      work = thaw(attempts.get(chunk.attempt) ?? emptyAttempt(chunk.attempt, 1));
      touched.set(chunk.attempt, work);
    }
    if (chunk.seq < work.nextSeq || work.pending.has(chunk.seq)) continue; // duplicate
    work.pending.set(chunk.seq, chunk);
    size += drain(work);
  }

  for (const [attempt, work] of touched) attempts.set(attempt, freeze(work));
  return { ...state, attempts, lines: flatten(attempts), size };
}

/** One `jobLogs` event: the chunks the server had ready when it sent it (one or more, in order). */
export interface LogEventInput {
  readonly chunks: readonly LogChunkInput[];
}

/** Apply the events received within one render window as one batch; returns a new state. */
export function applyEvents(state: LogState, events: readonly LogEventInput[]): LogState {
  return applyChunks(state, events.flatMap((e) => e.chunks));
}

export function markTruncated(state: LogState, truncated = true): LogState {
  return state.truncated === truncated ? state : { ...state, truncated };
}

/** Highest seq applied for an attempt (0 when none): the `afterSeq` to resume from. */
export function lastAppliedSeq(state: LogState, attempt: number): number {
  const log = state.attempts.get(attempt);
  return log ? log.nextSeq - 1 : 0;
}

/** The text of the whole log as it would have been written, attempts in order. */
export function logText(state: LogState): string {
  let out = '';
  let prevAttempt: number | undefined;
  for (const line of state.lines) {
    if (prevAttempt !== undefined && prevAttempt !== line.attempt) out += '\n';
    prevAttempt = line.attempt;
    out += line.text + (line.open ? '' : '\n');
  }
  return out;
}

// ---------------------------------------------------------------------------

interface MutableAttempt {
  attempt: number;
  nextSeq: number;
  pending: Map<number, LogChunkInput>;
  lines: LogLine[];
  openLine: Partial<Record<LogStreamName, number>>;
}

function emptyAttempt(attempt: number, nextSeq: number): AttemptLog {
  return { attempt, nextSeq, pending: new Map(), lines: [], openLine: {} };
}

// Copy-on-write once per batch: a batch of many chunks costs one copy of the lines.
function thaw(log: AttemptLog): MutableAttempt {
  return {
    attempt: log.attempt,
    nextSeq: log.nextSeq,
    pending: new Map(log.pending),
    lines: log.lines.slice(),
    openLine: { ...log.openLine },
  };
}

function freeze(work: MutableAttempt): AttemptLog {
  return work;
}

/** Apply every pending chunk that is next in line; returns the data size applied. */
function drain(work: MutableAttempt): number {
  let applied = 0;
  for (;;) {
    let chunk = work.pending.get(work.nextSeq);
    if (!chunk && work.pending.size > MAX_PENDING_CHUNKS) {
      const earliest = Math.min(...work.pending.keys());
      chunk = work.pending.get(earliest);
      work.nextSeq = earliest;
    }
    if (!chunk) return applied;
    work.pending.delete(work.nextSeq);
    work.nextSeq += 1;
    appendData(work, chunk.stream, chunk.data);
    applied += chunk.data.length;
  }
}

function appendData(work: MutableAttempt, stream: LogStreamName, data: string): void {
  if (data.length === 0) return;
  const parts = data.split('\n');
  // parts.length - 1 newlines: every part but the last ends a line; the last stays open
  // (an empty last part means the chunk ended exactly at a newline).
  for (let i = 0; i < parts.length; i++) {
    const isLast = i === parts.length - 1;
    const part = parts[i]!;
    if (isLast && part.length === 0) break;
    const open = isLast;
    const openIndex = work.openLine[stream];
    if (openIndex !== undefined) {
      const prev = work.lines[openIndex]!;
      work.lines[openIndex] = { ...prev, text: endLine(prev.text + part, open), open };
      if (!open) delete work.openLine[stream];
    } else {
      const text = endLine(part, open);
      const number = work.lines.length + 1;
      work.lines.push({ id: `${work.attempt}:${number}`, attempt: work.attempt, number, stream, text, open });
      if (open) work.openLine[stream] = work.lines.length - 1;
    }
  }
}

/** A CRLF line ending is one line ending. */
function endLine(text: string, open: boolean): string {
  return !open && text.endsWith('\r') ? text.slice(0, -1) : text;
}

function flatten(attempts: ReadonlyMap<number, AttemptLog>): LogLine[] {
  const ordered = [...attempts.values()].sort((a, b) => a.attempt - b.attempt);
  if (ordered.length === 1) return ordered[0]!.lines as LogLine[];
  const out: LogLine[] = [];
  for (const log of ordered) for (const line of log.lines) out.push(line);
  return out;
}
