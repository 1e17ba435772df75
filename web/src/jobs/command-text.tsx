import { useLayoutEffect, useRef, useState } from 'react';

/**
 * A job's command, three lines at most until "show all" is pressed: a 60 KB command must not
 * push the log off the page.
 */
export function CommandText({ command, heading = false }: { command: string; heading?: boolean }) {
  const ref = useRef<HTMLElement>(null);
  const [expanded, setExpanded] = useState(false);
  const [overflows, setOverflows] = useState(false);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || expanded) return;
    const measure = () => setOverflows(el.scrollHeight > el.clientHeight + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [command, expanded]);

  const code = (
    <code ref={ref} className={expanded ? undefined : 'clamp-3'} data-testid="command">
      {command}
    </code>
  );
  return (
    <div className="command-text">
      {heading ? <h1>{code}</h1> : code}
      {(overflows || expanded) && (
        <button type="button" className="quiet show-all" aria-expanded={expanded} onClick={() => setExpanded((e) => !e)}>
          {expanded ? 'show less' : `show all (${command.length.toLocaleString()} characters)`}
        </button>
      )}
    </div>
  );
}
