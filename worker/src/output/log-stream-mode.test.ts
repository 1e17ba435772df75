import {
  initialMode,
  isOffline,
  isWaitingToResend,
  mayPause,
  nextFlow,
  nextLink,
  nextLogCap,
  nextPhase,
  takesOutput,
  type Link,
  type LinkEvent,
  type LogStreamMode,
  type Phase,
  type PhaseEvent,
} from './log-stream-mode';

const mode = (over: Partial<LogStreamMode> = {}): LogStreamMode => ({ ...initialMode(), ...over });

describe('log stream mode', () => {
  it('starts open, below the log cap, with the link up and the sources flowing', () => {
    expect(initialMode()).toEqual({ phase: 'open', logCap: 'below', link: 'up', flow: 'flowing' });
    expect(takesOutput(initialMode())).toBe(true);
  });

  it('hands out a fresh mode each time (one streamer cannot move another)', () => {
    const a = initialMode();
    a.phase = 'aborted';
    expect(initialMode().phase).toBe('open');
  });
});

describe('phase', () => {
  it.each<[Phase, PhaseEvent, Phase]>([
    ['open', 'finish', 'finishing'],
    ['open', 'abort', 'aborted'],
    ['finishing', 'finish', 'finishing'],
    ['finishing', 'abort', 'aborted'],
    ['aborted', 'finish', 'aborted'],
    ['aborted', 'abort', 'aborted'],
  ])('%s --%s--> %s', (from, event, to) => {
    expect(nextPhase(from, event)).toBe(to);
  });

  it('takes output only while open', () => {
    expect(takesOutput(mode({ phase: 'open' }))).toBe(true);
    expect(takesOutput(mode({ phase: 'finishing' }))).toBe(false);
    expect(takesOutput(mode({ phase: 'aborted' }))).toBe(false);
  });
});

describe('log cap', () => {
  it('is reached by a truncated answer and stays reached', () => {
    expect(nextLogCap('below', 'truncated')).toBe('reached');
    expect(nextLogCap('reached', 'truncated')).toBe('reached');
  });

  it('once reached, no output is taken', () => {
    expect(takesOutput(mode({ logCap: 'reached' }))).toBe(false);
  });
});

describe('link', () => {
  it.each<[Link, LinkEvent, Link]>([
    ['up', 'callFailed', 'backoff'],
    ['up', 'connectionLost', 'down'],
    ['up', 'serverReached', 'up'],
    ['up', 'resendStarted', 'up'],
    ['backoff', 'callFailed', 'backoff'],
    ['backoff', 'connectionLost', 'down'],
    ['backoff', 'serverReached', 'backoff'],
    ['backoff', 'resendStarted', 'up'],
    ['down', 'callFailed', 'down'],
    ['down', 'connectionLost', 'down'],
    ['down', 'serverReached', 'backoff'],
    ['down', 'resendStarted', 'probing'],
    ['probing', 'callFailed', 'down'],
    ['probing', 'connectionLost', 'down'],
    ['probing', 'serverReached', 'up'],
    ['probing', 'resendStarted', 'probing'],
  ])('%s --%s--> %s', (from, event, to) => {
    expect(nextLink(from, event)).toBe(to);
  });

  it('sends nothing while waiting out a backoff, with or without a connection', () => {
    expect((['up', 'backoff', 'down', 'probing'] as Link[]).filter(isWaitingToResend)).toEqual(['backoff', 'down']);
  });

  it('counts as offline from a lost connection until an answer comes', () => {
    expect((['up', 'backoff', 'down', 'probing'] as Link[]).filter(isOffline)).toEqual(['down', 'probing']);
  });

  it('a lost connection, a resend that fails, then an answer: back up', () => {
    let link: Link = 'up';
    for (const e of ['connectionLost', 'resendStarted', 'callFailed', 'resendStarted', 'serverReached'] as LinkEvent[]) link = nextLink(link, e);
    expect(link).toBe('up');
  });
});

describe('flow', () => {
  const marks = { highWater: 100, lowWater: 40 };

  it('pauses at the high-water mark, not below it', () => {
    expect(nextFlow(mode(), 99, marks)).toBe('flowing');
    expect(nextFlow(mode(), 100, marks)).toBe('paused');
  });

  it('stays paused between the marks and resumes at the low-water mark', () => {
    const paused = mode({ flow: 'paused' });
    expect(nextFlow(paused, 99, marks)).toBe('paused');
    expect(nextFlow(paused, 41, marks)).toBe('paused');
    expect(nextFlow(paused, 40, marks)).toBe('flowing');
  });

  it('stays paused through a backoff while the server is reachable', () => {
    expect(mayPause(mode({ link: 'backoff' }))).toBe(true);
    expect(nextFlow(mode({ flow: 'paused', link: 'backoff' }), 1_000, marks)).toBe('paused');
  });

  it.each<[string, Partial<LogStreamMode>]>([
    ['finishing', { phase: 'finishing' }],
    ['aborted', { phase: 'aborted' }],
    ['past the log cap', { logCap: 'reached' }],
    ['down', { link: 'down' }],
    ['probing', { link: 'probing' }],
  ])('lets the sources flow whatever is queued when %s', (_name, over) => {
    const m = mode({ flow: 'paused', ...over });
    expect(mayPause(m)).toBe(false);
    expect(nextFlow(m, 1_000, marks)).toBe('flowing');
  });
});
