import 'reflect-metadata';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createAppContainer, type AppContainer } from './app-container';
import type { AppConfig } from './config';
import { apiPlugin } from './transport/graphql/apollo-plugins';
import type { GraphQLContext } from './transport/graphql/context';
import { formatError } from './transport/graphql/format-error';
import { SIGNED_IN_BUDGET } from './transport/graphql/operation-budget';
import { depthLimitRule } from './transport/graphql/query-limits';
import { buildApiSchema } from './transport/graphql/schema';
import { startMetricsServer } from './observability/metrics.route';
import { createExpressApp } from './transport/http/express-app';
import { attachGraphQLWs } from './transport/ws/graphql-ws-server';

export interface ApiServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  httpServer: HttpServer;
  container: AppContainer;
  /** Set when this start created the first admin with a generated password, for the caller's banner. */
  firstAdmin?: { username: string; password: string };
  /**
   * Graceful stop: refuse new connections, let in-flight HTTP requests finish (up to
   * SHUTDOWN_TIMEOUT_MS), close WebSockets with 1001, then close the container (Mongo, Redis)
   * when this server created it. Safe to call twice.
   */
  close(): Promise<void>;
}

export interface StartApiOptions {
  config: AppConfig;
  /** Given: the caller owns it (close() leaves it open). Otherwise one is created and owned. */
  container?: AppContainer;
  /** Overrides config.port (0: an ephemeral port). */
  port?: number;
  host?: string;
}

export async function startApiServer(opts: StartApiOptions): Promise<ApiServer> {
  const { config } = opts;
  const ownsContainer = opts.container === undefined;
  const container = opts.container ?? (await createAppContainer(config));
  try {
    const schema = await buildApiSchema();
    const httpServer = createServer();
    const ws = attachGraphQLWs(httpServer, schema, container);
    const apollo = new ApolloServer<GraphQLContext>({
      schema,
      introspection: config.graphql.introspection,
      includeStacktraceInErrorResponses: false,
      // Shutdown is ours (installShutdownHandlers, then close()): Apollo's own SIGTERM handler
      // would stop it behind our back and send the signal again, which reads as an impatient
      // second signal and exits 1.
      stopOnTerminationSignals: false,
      // The plugin checks each caller's budget before this parse; this is the backstop.
      parseOptions: { maxTokens: SIGNED_IN_BUDGET.maxTokens },
      validationRules: [
        depthLimitRule(config.graphql.maxDepth),
        ...(config.graphql.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
      ],
      formatError,
      logger: apolloLogger(container),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.http.shutdownTimeoutMs }),
        { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
        apiPlugin(schema, config),
        // Apollo's landing pages load from a CDN; browsers get the bundled GraphiQL instead (graphiql.route.ts).
        ApolloServerPluginLandingPageDisabled(),
        // No field has a cache hint, so its only effect was `no-store` on every answer (the
        // express app sets that itself) at the price of a hook around every field resolved.
        ApolloServerPluginCacheControlDisabled(),
      ],
    });
    await apollo.start();
    let shuttingDown = false;
    httpServer.on('request', createExpressApp(container, apollo, { isShuttingDown: () => shuttingDown }));
    container.metrics.countConnectionsWith(() => ws.connectionsByKind());

    const host = opts.host ?? config.host;
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(opts.port ?? config.port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    // Only a server that listens makes the first admin (a failed start must not spend the
    // one-time password).
    const created = await container.services.users.ensureAdmin(config.auth.adminUsername, config.auth.adminPassword);
    const port = (httpServer.address() as AddressInfo).port;
    const metricsServer =
      config.metrics.port === undefined
        ? undefined
        : await startMetricsServer(container.metrics, config.metrics.port, host).catch(async (err: unknown) => {
            await apollo.stop(); // closes the listener opened above
            throw err;
          });
    if (metricsServer) container.logger.info({ port: metricsServer.port }, 'metrics listening');
    const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    container.logger.info({ port, instanceId: container.instanceId }, 'API listening');

    let closing: Promise<void> | undefined;
    return {
      url: `http://${shownHost}:${port}/graphql`,
      wsUrl: `ws://${shownHost}:${port}/graphql`,
      port,
      httpServer,
      container,
      firstAdmin: created?.generatedPassword ? { username: created.username, password: created.generatedPassword } : undefined,
      close: () => {
        closing ??= (async () => {
          container.logger.info('API shutting down');
          shuttingDown = true;
          try {
            // /readyz now answers 503; give load balancers time to see it before the listener closes.
            if (config.http.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.http.shutdownDelayMs));
            // Drain plugins: the HTTP server stops accepting and waits for in-flight requests; sockets get 1001.
            await apollo.stop();
          } finally {
            await metricsServer?.close();
            if (ownsContainer) await container.close();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    if (ownsContainer) await container.close().catch(() => undefined);
    throw err;
  }
}

function apolloLogger(app: AppContainer) {
  const l = app.logger.child({ component: 'apollo' });
  return {
    debug: (m: string) => l.debug(m),
    info: (m: string) => l.info(m),
    warn: (m: string) => l.warn(m),
    error: (m: string) => l.error(m),
  };
}
