/** The GraphQL endpoints of the API serving this page: HTTP and graphql-ws on `/graphql`. */
export function graphqlEndpoints(location: Pick<Location, 'protocol' | 'host'>): { url: string; subscriptionUrl: string } {
  const ws = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { url: `${location.protocol}//${location.host}/graphql`, subscriptionUrl: `${ws}//${location.host}/graphql` };
}
