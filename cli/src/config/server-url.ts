import { CliError } from '../errors';

export const DEFAULT_SERVER = 'http://127.0.0.1:4000';

/** `--server` is the API's http(s) address; GraphQL is at /graphql there unless a path is given. */
export function normalizeServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(`--server: not a URL: ${server}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--server: expected http:// or https://, got ${url.protocol}//`);
  if (url.username || url.password) throw new CliError('--server: put no credentials in the URL; use `cmd-executor login`');
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export function graphqlHttpUrl(server: string): string {
  const url = new URL(server);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/graphql';
  return url.toString();
}

export function graphqlWsUrl(server: string): string {
  const url = new URL(graphqlHttpUrl(server));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
