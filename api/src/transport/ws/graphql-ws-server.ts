import type { IncomingMessage } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContainer } from '../../app-container';
import { credentialFromConnection } from '../../auth/credentials';
import { RateLimitedError } from '../../errors';
import { Topics } from '../../storage/pubsub';
import type { GraphQLContext, Principal } from '../graphql/context';
import { classifyError, formatError } from '../graphql/format-error';
import { costError, depthLimitRule, operationCost } from '../graphql/query-limits';
import { principalLabel } from '../graphql/request-meta';
import { isAllowedOrigin, isSecureRequest } from '../http/tls';
import { WsConnection } from './connection';
import { DocumentCache } from './document-cache';

type ConnExtra = {
  principal?: Principal;
  connection?: WsConnection;
};

interface OperationState {
  started: bigint;
  name?: string;
  type?: string;
  errors: string[];
}

export interface GraphQLWsServer {
  /** Closes every socket with 1001 (going away) and stops the server. */
  dispose(): Promise<void>;
  readonly clientCount: number;
  connectionsByKind(): Record<string, number>;
}

/**
 * graphql-ws on the HTTP server's `/graphql` upgrades. The credential is checked once, at
 * connection_init: a refused one closes the socket with 4403 (clients must not retry that);
 * no credential is an anonymous connection. Each operation is rate limited and checked
 * against the same depth/cost/introspection limits as HTTP.
 */
export function attachGraphQLWs(httpServer: HttpServer, schema: GraphQLSchema, app: AppContainer): GraphQLWsServer {
  const { config, logger } = app;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const sockets = new Map<WebSocket, ConnExtra>();
  let accepting = true;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    const refuse = (status: number, message: string): void => {
      socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== '/graphql') return refuse(404, 'Not Found');
    if (!accepting) return refuse(503, 'Service Unavailable');
    if (config.http.enforceTls && !isSecureRequest(req)) return refuse(403, 'Forbidden');
    if (!isAllowedOrigin(req, config.http.allowedOrigins)) return refuse(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  httpServer.on('upgrade', onUpgrade);

  const rules = [
    ...specifiedRules,
    depthLimitRule(config.graphql.maxDepth),
    ...(config.graphql.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const documents = new DocumentCache(schema, rules);
  const operations = new Map<string, OperationState>();
  const opKey = (conn: WsConnection | undefined, id: string): string => `${conn?.id ?? '?'}:${id}`;

  const server = useServer<Record<string, unknown> | undefined, ConnExtra>(
    {
      schema,
      onConnect: async (ctx) => {
        const principal = await app.services.auth.principalFor(credentialFromConnection(ctx.connectionParams, ctx.extra.request.headers));
        if (principal.kind === 'anonymous' && principal.authError) return false; // → 4403 Forbidden
        ctx.extra.principal = principal;
        const connection = new WsConnection(logger);
        ctx.extra.connection = connection;
        sockets.set(ctx.extra.socket, ctx.extra);
        if (principal.kind === 'user' && principal.expiresAt) {
          // The credential was checked once, at connect: it must not outlive its JWT. The client
          // sees 4403 and logs in again.
          const socket = ctx.extra.socket;
          const timer = setTimeout(() => socket.close(CloseCode.Forbidden, 'token expired'), Math.max(0, principal.expiresAt.getTime() - Date.now()));
          timer.unref();
          connection.onClose(() => clearTimeout(timer));
        }
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const principal = ctx.extra.principal ?? { kind: 'anonymous' };
        const state: OperationState = { started: process.hrtime.bigint(), name: payload.operationName ?? undefined, errors: [] };
        operations.set(opKey(ctx.extra.connection, id), state);
        try {
          await app.services.rateLimit.check(principal, ctx.extra.request.socket.remoteAddress);
        } catch (err) {
          if (err instanceof RateLimitedError) {
            state.errors.push(err.code);
            return [err];
          }
          throw err;
        }
        const { document, errors } = documents.get(payload.query);
        if (errors) return [...errors];
        const op = document.definitions.find(
          (d): d is OperationDefinitionNode =>
            d.kind === 'OperationDefinition' && (!payload.operationName || d.name?.value === payload.operationName),
        );
        state.type = op?.operation;
        state.name ??= op?.name?.value;
        const cost = operationCost(schema, document, payload.variables ?? undefined, payload.operationName);
        if (cost > config.graphql.maxCost) return [costError(cost, config.graphql.maxCost)];
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: {
            requestId: opKey(ctx.extra.connection, id),
            principal,
            app,
            transport: 'ws',
            connection: ctx.extra.connection,
          } satisfies GraphQLContext,
        };
        return args;
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        const key = opKey(ctx.extra.connection, id);
        return { ...result, errors: result.errors.map((e) => report(e, key)) };
      },
      onError: (ctx, id, _payload, errors) => {
        const key = opKey(ctx.extra.connection, id);
        return errors.map((e) => report(e, key));
      },
      onComplete: (ctx, id) => {
        const key = opKey(ctx.extra.connection, id);
        const state = operations.get(key);
        operations.delete(key);
        if (!state) return;
        const principal = ctx.extra.principal ?? { kind: 'anonymous' };
        // Workers stream logs many times a second: their operations log at debug.
        const level = principal.kind === 'worker' ? 'debug' : 'info';
        logger[level](
          {
            requestId: key,
            ...principalLabel({ principal }),
            operation: state.name,
            type: state.type,
            errors: state.errors.length ? state.errors : undefined,
            durationMs: Number(process.hrtime.bigint() - state.started) / 1e6,
            transport: 'ws',
          },
          'graphql operation',
        );
      },
      onClose: async (ctx) => {
        sockets.delete(ctx.extra.socket);
        for (const key of operations.keys()) if (ctx.extra.connection && key.startsWith(`${ctx.extra.connection.id}:`)) operations.delete(key);
        await ctx.extra.connection?.close();
      },
    },
    wss,
  );

  function report(err: GraphQLError, key: string) {
    const kind = classifyError(err);
    operations.get(key)?.errors.push(kind.code);
    if (kind.internal) {
      logger.error({ err: kind.original, requestId: key, path: err.path }, 'internal error');
      const f = formatError(err.toJSON(), err);
      return { ...f, extensions: { ...f.extensions, requestId: key } };
    }
    return formatError(err.toJSON(), err);
  }

  // A revoked worker token loses its open sockets too, on every replica.
  const unsubscribeRevoked = app.pubsub.subscribe<{ tokenId: string }>(Topics.WORKER_TOKEN_REVOKED, ({ tokenId }) => {
    for (const [socket, extra] of sockets) {
      if (extra.principal?.kind === 'worker' && extra.principal.tokenId === tokenId) {
        socket.close(CloseCode.Forbidden, 'Forbidden');
      }
    }
  });

  return {
    get clientCount() {
      return wss.clients.size;
    },
    /** Open connections by kind of caller (`pending` until the handshake says who). */
    connectionsByKind(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const extra of sockets.values()) {
        const kind = extra.principal?.kind ?? 'pending';
        counts[kind] = (counts[kind] ?? 0) + 1;
      }
      return counts;
    },
    async dispose() {
      accepting = false;
      httpServer.off('upgrade', onUpgrade);
      (await unsubscribeRevoked.catch(() => () => undefined))();
      // graphql-ws closes each socket with 1001 Going Away, then the server.
      await server.dispose();
    },
  };
}
