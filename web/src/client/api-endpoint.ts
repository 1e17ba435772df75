/** What `config.js` (served beside index.html, editable per deployment) may set. */
export interface RuntimeConfig {
  /** Base address of the API (`https://api.example.com`); empty or absent: this page's origin. */
  apiUrl?: string;
}

declare global {
  interface Window {
    CMD_EXECUTOR_CONFIG?: RuntimeConfig;
  }
}

export interface ApiEndpoint {
  /** GraphQL over HTTP */
  httpUrl: string;
  /** GraphQL over WebSocket (graphql-ws) */
  wsUrl: string;
  /** GraphiQL, served by the API */
  graphiqlUrl: string;
  /**
   * The API is on another origin: its cookie may not reach it (another site without
   * `SameSite=None; Secure`), so the session token is also held in memory and sent as a header.
   */
  crossOrigin: boolean;
}

export function apiEndpoint(config: RuntimeConfig | undefined, location: Pick<Location, 'origin' | 'href'>): ApiEndpoint {
  const raw = config?.apiUrl?.trim();
  const base = new URL(raw ? raw : location.origin, location.href);
  const path = base.pathname.replace(/\/+$/, '');
  const http = `${base.origin}${path}`;
  return {
    httpUrl: `${http}/graphql`,
    wsUrl: `${http.replace(/^http/, 'ws')}/graphql`,
    graphiqlUrl: `${http}/graphiql`,
    crossOrigin: base.origin !== location.origin,
  };
}

/** The endpoint of this page load. */
export const API: ApiEndpoint = apiEndpoint(typeof window === 'undefined' ? undefined : window.CMD_EXECUTOR_CONFIG, typeof window === 'undefined' ? { origin: 'http://localhost', href: 'http://localhost/' } : window.location);
