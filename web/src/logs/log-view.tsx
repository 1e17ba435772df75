import { memo, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { lineHtml } from './ansi';
import { markMatches, plainText, sgrStateBefore } from './log-text';
import type { LogLine } from './log-reducer';

interface RowContext {
  lines: readonly LogLine[];
  query: string;
  matches: ReadonlySet<number>;
  current: number | undefined;
  multiAttempt: boolean;
}

const Row = memo(function Row({
  line,
  match,
  current,
  showAttempt,
  query,
  colourBefore,
}: {
  line: LogLine;
  /** SGR sequences in effect from the lines before (colours span newlines) */
  colourBefore: string;
  match: boolean;
  current: boolean;
  showAttempt: boolean;
  query: string;
}) {
  const base = useMemo(() => lineHtml(colourBefore + line.text), [colourBefore, line.text]);
  const html = match ? markMatches(base, query) : base;
  const cls = `log-line log-${line.stream.toLowerCase()}${match ? ' log-match' : ''}${current ? ' log-current' : ''}`;
  return (
    <div className={cls} data-stream={line.stream} data-line={line.number}>
      <span className="log-ln" aria-hidden="true">
        {showAttempt ? `${line.attempt}:` : ''}
        {line.number}
      </span>
      <span className="log-text" dangerouslySetInnerHTML={{ __html: html }} />
    </div>
  );
});

/**
 * The log, virtualised: only the rows in view are in the DOM, so a 20 MB log scrolls as
 * smoothly as a short one. "Follow" keeps the newest line in view until the user scrolls
 * up; scrolling back to the bottom (or the button) turns it on again.
 */
export function LogView({ lines, live }: { lines: readonly LogLine[]; live: boolean }) {
  const virtuoso = useRef<VirtuosoHandle>(null);
  const [follow, setFollow] = useState(true);
  const userScrolledAt = useRef(0);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  // index into the matches of the one jumped to; null until the user jumps
  const [cursor, setCursor] = useState<number | null>(null);

  const matchList = useMemo(() => {
    const q = deferredQuery.trim().toLowerCase();
    if (!q) return [];
    const found: number[] = [];
    for (let i = 0; i < lines.length; i++) if (plainText(lines[i]!).toLowerCase().includes(q)) found.push(i);
    return found;
  }, [lines, deferredQuery]);
  const matches = useMemo(() => new Set(matchList), [matchList]);
  const shownCursor = cursor === null || matchList.length === 0 ? null : Math.min(cursor, matchList.length - 1);
  const current = shownCursor === null ? undefined : matchList[shownCursor];

  useEffect(() => setCursor(null), [deferredQuery]);

  function goToMatch(delta: 1 | -1) {
    const n = matchList.length;
    if (n === 0) return;
    const next = shownCursor === null ? (delta > 0 ? 0 : n - 1) : (shownCursor + delta + n) % n;
    setCursor(next);
    setFollow(false);
    virtuoso.current?.scrollToIndex({ index: matchList[next]!, align: 'center' });
  }

  function onSearchKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') {
      e.preventDefault();
      goToMatch(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape') {
      setQuery('');
    }
  }

  function jumpToEnd() {
    setFollow(true);
    virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' });
  }

  const markUserScroll = () => {
    userScrolledAt.current = Date.now();
  };

  const context: RowContext = { lines, query: deferredQuery, matches, current, multiAttempt: lines.length > 0 && lines[0]!.attempt !== lines[lines.length - 1]!.attempt };

  return (
    <section className="log-panel" aria-label="Log">
      <div className="log-toolbar">
        <label htmlFor="log-search" className="sr-only">
          Search the log
        </label>
        <input
          id="log-search"
          type="search"
          placeholder="Search log (Enter: next, Shift+Enter: previous)"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onSearchKey}
        />
        {deferredQuery.trim() ? (
          // announced: the answer to what the user typed (a streaming line count would not be)
          <span className="muted small" role="status" aria-live="polite" data-testid="search-status">
            {matchList.length === 0
              ? 'no match'
              : shownCursor === null
                ? `${matchList.length.toLocaleString()} ${matchList.length === 1 ? 'match' : 'matches'}`
                : `${shownCursor + 1} of ${matchList.length.toLocaleString()}`}
          </span>
        ) : (
          <span className="muted small" data-testid="search-status">
            {lines.length.toLocaleString()} {lines.length === 1 ? 'line' : 'lines'}
          </span>
        )}
        <button type="button" onClick={() => goToMatch(-1)} disabled={matchList.length === 0} aria-label="Previous match">
          ↑
        </button>
        <button type="button" onClick={() => goToMatch(1)} disabled={matchList.length === 0} aria-label="Next match">
          ↓
        </button>
        <button type="button" aria-pressed={follow} onClick={() => (follow ? setFollow(false) : jumpToEnd())} data-testid="follow">
          {follow ? 'Following' : 'Follow'}
        </button>
      </div>
      <div
        className="log-body"
        onWheel={markUserScroll}
        onPointerDown={markUserScroll}
        onTouchMove={markUserScroll}
        onKeyDown={(e) => {
          if (['ArrowUp', 'PageUp', 'Home'].includes(e.key)) markUserScroll();
        }}
      >
        {lines.length === 0 ? (
          <p className="log-empty muted">{live ? 'Waiting for output…' : 'No output.'}</p>
        ) : (
          <Virtuoso<LogLine, RowContext>
            ref={virtuoso}
            data={lines as LogLine[]}
            context={context}
            tabIndex={0}
            aria-label="Log lines"
            computeItemKey={(_, line) => line.id}
            defaultItemHeight={20}
            increaseViewportBy={{ top: 400, bottom: 400 }}
            initialTopMostItemIndex={{ index: 'LAST', align: 'end' }}
            followOutput={() => (follow ? 'auto' : false)}
            atBottomThreshold={40}
            atBottomStateChange={(atBottom) => {
              if (atBottom) setFollow(true);
              else if (Date.now() - userScrolledAt.current < 1000) setFollow(false);
            }}
            itemContent={(index, line, ctx) => (
              <Row
                line={line}
                match={ctx.matches.has(index)}
                current={ctx.current === index}
                showAttempt={ctx.multiAttempt}
                query={ctx.query}
                colourBefore={sgrStateBefore(ctx.lines, index)}
              />
            )}
          />
        )}
      </div>
    </section>
  );
}
