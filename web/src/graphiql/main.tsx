// GraphiQL, bundled with the web build and served by the API at /graphiql (and at /graphql
// for browsers): nothing loads from another host. Monaco's workers are Vite-bundled workers.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { graphqlEndpoints } from './endpoints';

const { url, subscriptionUrl } = graphqlEndpoints(window.location);

// The session cookie travels with every request (same origin); the WebSocket handshake
// carries it too, so subscriptions run as the signed-in user.
const fetcher = createGraphiQLFetcher({
  url,
  subscriptionUrl,
  fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
});

// A link may open it with an operation filled in (the job page links its log stream).
const params = new URLSearchParams(window.location.search);

const DEFAULT_QUERY = `# Signed in through the web UI? This page uses the same session.
# Run a query, or a subscription such as:
#   subscription { jobLogs(jobId: "…") { chunks { seq stream data } } }
query Me {
  me { id username role }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={DEFAULT_QUERY}
      initialQuery={params.get('query') ?? undefined}
      initialVariables={params.get('variables') ?? undefined}
    />
  </StrictMode>,
);
