/**
 * The mode of one attempt's log streamer (`log-streamer.ts`) as pure data: four small regions
 * that change independently, each a table of the events that move it. An event a table does
 * not list leaves that region as it is (e.g. `finish` twice).
 *
 * ```
 * phase    what the streamer takes from the job
 *   open ──finish()──▶ finishing                 (no more output; resolves once all is acked)
 *   open | finishing ──abort (lease lost, output refused, ack stalled)──▶ aborted   (terminal)
 *
 * logCap   whether the server still stores this attempt's output
 *   below ──an ack says truncated──▶ reached     (unsent output is dropped, nothing new is sent;
 *                                                  what was sent still has to be acknowledged)
 *
 * link     the connection to the server, as the answers to appendLogs tell it
 *   up ──a call failed──▶ backoff ──backoff over──▶ up
 *   up | backoff | probing ──connection lost (NOT_CONNECTED, DISCONNECTED)──▶ down
 *   down ──an answer, or resume() after a reconnect──▶ backoff
 *   down ──backoff over──▶ probing ──an answer, or resume()──▶ up
 *   probing ──a call failed──▶ down             (no answer since the loss: still unreachable)
 *
 * flow     whether the job's output is read (backpressure, with hysteresis)
 *   flowing ──queued ≥ high water──▶ paused ──queued ≤ low water──▶ flowing
 *   paused ──phase not open, logCap reached, or link down | probing──▶ flowing
 * ```
 *
 * In `backoff` and `down` nothing is sent: everything unacknowledged is resent when the backoff
 * is over (or at `resume()`). In `down` and `probing` the job's output runs into the bounded
 * buffer instead of holding the job, and what does not fit is dropped: only an unreachable
 * server costs output.
 */

export type Phase = 'open' | 'finishing' | 'aborted';
export type LogCap = 'below' | 'reached';
export type Link = 'up' | 'backoff' | 'down' | 'probing';
export type Flow = 'flowing' | 'paused';

export type PhaseEvent = 'finish' | 'abort';
export type LogCapEvent = 'truncated';
export type LinkEvent =
  /** an appendLogs call failed with anything but a lost connection */
  | 'callFailed'
  /** an appendLogs call failed with NOT_CONNECTED or DISCONNECTED */
  | 'connectionLost'
  /** an appendLogs call was answered, or resume() says the connection is back */
  | 'serverReached'
  /** the backoff is over: everything unacknowledged goes out again */
  | 'resendStarted';

export interface LogStreamMode {
  phase: Phase;
  logCap: LogCap;
  link: Link;
  flow: Flow;
}

export function initialMode(): LogStreamMode {
  return { phase: 'open', logCap: 'below', link: 'up', flow: 'flowing' };
}

type Table<S extends string, E extends string> = { readonly [K in S]: Readonly<Partial<Record<E, S>>> };

export const PHASE_TRANSITIONS: Table<Phase, PhaseEvent> = {
  open: { finish: 'finishing', abort: 'aborted' },
  finishing: { abort: 'aborted' },
  aborted: {},
};

export const LOG_CAP_TRANSITIONS: Table<LogCap, LogCapEvent> = {
  below: { truncated: 'reached' },
  reached: {},
};

export const LINK_TRANSITIONS: Table<Link, LinkEvent> = {
  up: { callFailed: 'backoff', connectionLost: 'down' },
  backoff: { connectionLost: 'down', resendStarted: 'up' },
  down: { serverReached: 'backoff', resendStarted: 'probing' },
  probing: { callFailed: 'down', connectionLost: 'down', serverReached: 'up' },
};

export function nextPhase(phase: Phase, event: PhaseEvent): Phase {
  return PHASE_TRANSITIONS[phase][event] ?? phase;
}

export function nextLogCap(cap: LogCap, event: LogCapEvent): LogCap {
  return LOG_CAP_TRANSITIONS[cap][event] ?? cap;
}

export function nextLink(link: Link, event: LinkEvent): Link {
  return LINK_TRANSITIONS[link][event] ?? link;
}

/** A call failed: waiting out the backoff before everything unacknowledged is resent. */
export function isWaitingToResend(link: Link): boolean {
  return link === 'backoff' || link === 'down';
}

/** The connection was lost and no answer came since: output may run into the bounded buffer. */
export function isOffline(link: Link): boolean {
  return link === 'down' || link === 'probing';
}

/** Output from the job is still taken and sent. */
export function takesOutput(mode: LogStreamMode): boolean {
  return mode.phase === 'open' && mode.logCap === 'below';
}

/**
 * The sources may be paused only while their output would be sent to a reachable server: not
 * at the end, nor past the log cap (it is discarded), nor while offline (the buffer takes it).
 */
export function mayPause(mode: LogStreamMode): boolean {
  return takesOutput(mode) && !isOffline(mode.link);
}

export interface FlowMarks {
  highWater: number;
  lowWater: number;
}

/** `level`: bytes queued, in flight or still open in the pipeline. */
export function nextFlow(mode: LogStreamMode, level: number, marks: FlowMarks): Flow {
  if (!mayPause(mode)) return 'flowing';
  const hold = mode.flow === 'paused' ? level > marks.lowWater : level >= marks.highWater;
  return hold ? 'paused' : 'flowing';
}
