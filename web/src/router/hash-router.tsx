import { useSyncExternalStore, type AnchorHTMLAttributes, type ReactNode } from 'react';

/**
 * A hash router: `#/jobs/123?x=1`. The API serves the built UI as static files, so hash
 * URLs survive a reload without any server-side fallback route.
 */
export interface Route {
  readonly path: string;
  readonly query: URLSearchParams;
  /** the full hash target, e.g. `/jobs?status=RUNNING` */
  readonly href: string;
}

function read(): Route {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?', 2);
  return { path, query: new URLSearchParams(search), href: raw };
}

let current = read();
const listeners = new Set<() => void>();
window.addEventListener('hashchange', () => {
  current = read();
  for (const l of listeners) l();
});

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, () => current);
}

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const target = `#${href}`;
  if (options.replace) window.location.replace(target);
  else window.location.hash = href;
}

export function currentHref(): string {
  return current.href;
}

/** `/jobs/:id` style matching; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return null;
  }
  return params;
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a href={`#${to}`} {...rest}>
      {children}
    </a>
  );
}
