/**
 * `--server` accepts the API's http(s) address or its ws(s) endpoint; the worker channel
 * is graphql-ws at `/graphql` unless the URL names a path.
 */
export function toWebSocketUrl(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`--server: not a URL: ${server}`);
  }
  const schemes: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };
  const scheme = schemes[url.protocol];
  if (!scheme) throw new Error(`--server: expected http(s):// or ws(s)://, got ${url.protocol}//`);
  url.protocol = scheme;
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/graphql';
  url.username = '';
  url.password = '';
  return url.toString();
}
