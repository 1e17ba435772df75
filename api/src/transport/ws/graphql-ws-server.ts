import type { IncomingMessage } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  execute,
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContainer } from '../../app-container';
import { credentialFromConnection, type Credential } from '../../auth/credentials';
import { RateLimitedError } from '../../errors';
import { Topics } from '../../storage/pubsub';
import type { Principal } from '../../auth/principal';
import type { GraphQLContext } from '../graphql/context';
import { classifyError, formatError } from '../graphql/format-error';
import { nameLabel, operationNotFound } from '../graphql/limit-errors';
import { budgetFor } from '../graphql/operation-budget';
import { costCheck, depthLimitRule } from '../graphql/query-limits';
import { principalLabel } from '../graphql/request-meta';
import { variableErrors } from '../graphql/variable-coercion';
import { checkVariables } from '../graphql/variable-limits';
import { isAllowedOrigin, isSecureRequest } from '../http/tls';
import { clientAddress } from '../http/client-address';
import { guardCloseReasons } from './close-reasons';
import { WsConnection } from './connection';
import { CredentialRecheck } from './credential-recheck';
import { DocumentCache } from './document-cache';
import { MessageSizeGuard, WS_MESSAGE_LIMITS } from './message-size-guard';
import { subscribeWithDirectLogEvents } from './log-event-results';
import { corkedSends } from './corked-sends';
import { settleSendsToGonePeers } from './gone-peer-sends';
import { protocolErrorsAsLogLines } from './protocol-errors';
import { fastTextFrames } from './text-frames';

type ConnExtra = {
  principal?: Principal;
  /** The credential as presented at connect: checked again when a revocation may have been lost. */
  credential?: Credential;
  /** The upgrade request's client address (TRUST_PROXY applied), fixed for the socket's life. */
  clientAddress?: string;
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
 * against the same budgets (document and variable limits, variables' types, depth, cost,
 * introspection) as HTTP. A bad operation fails with an `error` message for its id and
 * leaves the socket and its other operations alone; close reasons are fixed texts. Each message
 * is held to its caller's size limit before it is parsed (message-size-guard.ts).
 */
export function attachGraphQLWs(httpServer: HttpServer, schema: GraphQLSchema, app: AppContainer): GraphQLWsServer {
  const { config, logger } = app;
  // The largest message anyone may send (a worker's); each socket's own limit is the guard's.
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MESSAGE_LIMITS.worker });
  const sizeGuard = new MessageSizeGuard((socket, bytes, limit) => {
    logger.info({ caller: sockets.get(socket)?.principal?.kind ?? 'pending', bytes, limit, transport: 'ws' }, 'websocket message over its size limit: socket closed');
  });
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
  // Registered before graphql-ws's own listener, so its closes are guarded too.
  wss.on('connection', guardCloseReasons);
  // Before the size guard, whose wrapper then runs first: it measures the raw bytes.
  wss.on('connection', fastTextFrames);
  wss.on('connection', corkedSends);
  // A send to a client that just vanished is a disconnect, not graphql-ws's "internal error".
  wss.on('connection', settleSendsToGonePeers);
  // A client's protocol error is one log line, not graphql-ws's "internal error" and stack trace.
  // Registered before the size guard, which takes the over-maxPayload error itself.
  wss.on(
    'connection',
    protocolErrorsAsLogLines((socket, code, reason) => {
      logger.info({ caller: sockets.get(socket)?.principal?.kind ?? 'pending', code, reason, transport: 'ws' }, 'websocket closed: the client broke the WebSocket protocol');
    }),
  );
  // Also before graphql-ws: an over-limit message never reaches its JSON.parse.
  wss.on('connection', sizeGuard.attach);

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
      execute,
      subscribe: subscribeWithDirectLogEvents,
      onConnect: async (ctx) => {
        const credential = credentialFromConnection(ctx.connectionParams, ctx.extra.request.headers);
        let principal: Principal;
        try {
          principal = await app.services.auth.principalFor(credential);
        } catch (err) {
          // The store did not answer, say. Thrown, graphql-ws would print it with a stack trace
          // outside the log; the client gets the same 4500 either way (4403 would tell it to give up).
          logger.error({ err, transport: 'ws' }, 'websocket connection closed: its credential could not be checked');
          ctx.extra.socket.close(CloseCode.InternalServerError, 'Internal server error');
          return false; // graphql-ws's own close (4403) then finds the socket closing already
        }
        if (principal.kind === 'anonymous' && principal.authError) return false; // → 4403 Forbidden
        ctx.extra.principal = principal;
        ctx.extra.credential = credential;
        sizeGuard.admit(ctx.extra.socket, principal);
        ctx.extra.clientAddress = clientAddress(ctx.extra.request, config.http.trustProxy);
        const connection = new WsConnection(logger);
        ctx.extra.connection = connection;
        sockets.set(ctx.extra.socket, ctx.extra);
        if ((principal.kind === 'user' || principal.kind === 'worker') && principal.expiresAt) {
          // The credential was checked once, at connect: it must not outlive its JWT (or the
          // worker token's expiry or rotation grace). The client sees 4403 and logs in again.
          const socket = ctx.extra.socket;
          const timer = setTimeout(() => socket.close(CloseCode.Forbidden, 'token expired'), Math.max(0, principal.expiresAt.getTime() - Date.now()));
          timer.unref();
          connection.onClose(() => clearTimeout(timer));
        }
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const principal = ctx.extra.principal ?? { kind: 'anonymous' };
        const state: OperationState = { started: process.hrtime.bigint(), name: payload.operationName ? nameLabel(payload.operationName) : undefined, errors: [] };
        operations.set(opKey(ctx.extra.connection, id), state);
        // Anything thrown here would make graphql-ws close the whole socket (4500): every
        // failure, ours included, becomes an error for this operation only.
        try {
          await app.services.rateLimit.check(principal, ctx.extra.clientAddress);
          const budget = budgetFor(principal);
          const tooBig = checkVariables(payload.variables, budget);
          if (tooBig) return [tooBig];
          const { document, errors } = documents.get(payload.query, budget);
          if (errors) return [...errors];
          const op = getOperationAST(document, payload.operationName);
          if (!op) return [operationNotFound(payload.operationName)];
          state.type = op.operation;
          state.name = op.name?.value ?? state.name;
          const badVariables = variableErrors(schema, document, payload.operationName, payload.variables);
          if (badVariables.length > 0) return badVariables;
          const tooCostly = costCheck(schema, document, payload.variables, payload.operationName, Math.min(config.graphql.maxCost, budget.maxCost));
          if (tooCostly) return [tooCostly];
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
              clientAddress: ctx.extra.clientAddress,
              connection: ctx.extra.connection,
            } satisfies GraphQLContext,
          };
          return args;
        } catch (err) {
          if (err instanceof RateLimitedError) return [err];
          // Logged and answered as INTERNAL_SERVER_ERROR by report() below.
          const cause = err instanceof Error ? err : new Error(String(err));
          return [new GraphQLError(cause.message, { originalError: cause })];
        }
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
      const cause = kind.original instanceof GraphQLError && kind.original.originalError ? kind.original.originalError : kind.original;
      logger.error({ err: cause, requestId: key, path: err.path }, 'internal error');
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

  // A rotated-out worker token keeps its sockets only until its grace period ends.
  const unsubscribeRotated = app.pubsub.subscribe<{ tokenId: string; retiredHash: string; validUntil: string }>(Topics.WORKER_TOKEN_ROTATED, ({ tokenId, retiredHash, validUntil }) => {
    const delay = Math.max(0, Date.parse(validUntil) - Date.now());
    for (const [socket, extra] of sockets) {
      const p = extra.principal;
      if (p?.kind !== 'worker' || p.tokenId !== tokenId || p.tokenHash !== retiredHash) continue;
      const timer = setTimeout(() => socket.close(CloseCode.Forbidden, 'Forbidden'), delay);
      timer.unref();
      extra.connection?.onClose(() => clearTimeout(timer));
    }
  });

  // A user disabled, re-roled or signed out everywhere loses its open sockets at once, on every replica.
  const unsubscribeUser = app.pubsub.subscribe<{ userId: string }>(Topics.USER_ACCESS_CHANGED, ({ userId }) => {
    app.services.users.forget(userId);
    for (const [socket, extra] of sockets) {
      if (extra.principal?.kind === 'user' && extra.principal.userId === userId) socket.close(CloseCode.Forbidden, 'Forbidden');
    }
  });

  // Those messages are lost while Redis is away (published then, or by a replica that could not
  // publish): when live delivery may have missed them, every open socket's credential is checked
  // against the store again. Cached user states may be as stale, so they go first.
  const recheck = new CredentialRecheck(() => sockets.entries(), (c) => app.services.auth.principalFor(c), logger);
  const accessTopics: ReadonlySet<string> = new Set([Topics.WORKER_TOKEN_REVOKED, Topics.WORKER_TOKEN_ROTATED, Topics.USER_ACCESS_CHANGED]);
  const stopRecheck = app.pubsub.onResume((event) => {
    if (event.topic !== undefined && !accessTopics.has(event.topic)) return;
    app.services.users.forgetAll();
    recheck.request();
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
      stopRecheck();
      await recheck.dispose();
      (await unsubscribeRevoked.catch(() => () => undefined))();
      (await unsubscribeRotated.catch(() => () => undefined))();
      (await unsubscribeUser.catch(() => () => undefined))();
      // graphql-ws closes each socket with 1001 Going Away, then the server.
      await server.dispose();
    },
  };
}
