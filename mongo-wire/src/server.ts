import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { CursorRegistry } from './commands/cursor.registry';
import { dispatchCommand } from './commands/command.dispatcher';
import type { CommandContext } from './commands/command.context';
import { fail } from './errors';
import { Catalog } from './storage/catalog.store';
import { Durability } from './storage/durability';
import { expireDocuments } from './storage/ttl.monitor';
import type { Doc } from './storage/value.key';
import { InProcessStore, registerInProcess } from './in-process/in-process.store';
import { ConnectionHandler, type CommandRunner } from './wire/connection.handler';

export interface Logger {
  info(msg: string, meta?: unknown): void;
  warn(msg: string, meta?: unknown): void;
  error(msg: string, meta?: unknown): void;
}

export interface MongoWireServerOptions {
  /**
   * Listen on this Unix socket instead of TCP (created mode 0600: only this user can connect,
   * where a loopback port is open to every local user; also cheaper per command than TCP).
   * A stale socket file there is replaced. The URI is then `mongodb://<path, percent-encoded>`.
   */
  socketPath?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Directory for the journal and snapshot; without it everything is in memory. */
  dbpath?: string;
  logger?: Logger;
  /** Journal size that triggers a snapshot (default 64 MiB). */
  snapshotThresholdBytes?: number;
  /** How often TTL indexes are applied (default 60 s). */
  ttlIntervalMs?: number;
}

export interface MongoWireServer {
  /** `mongodb://host:port` (no database). */
  uri: string;
  port: number;
  /** Stops listening, closes client sockets, flushes and closes the journal. Safe to call twice. */
  close(): Promise<void>;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

/**
 * Starts an in-process server speaking the MongoDB wire protocol, so the same mongoose models
 * run against it in development and tests and against a real MongoDB in production.
 */
export async function startMongoWireServer(opts: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const logger = opts.logger ?? silent;
  const host = opts.host ?? '127.0.0.1';
  const catalog = new Catalog();
  const cursors = new CursorRegistry();
  const durability = opts.dbpath
    ? await Durability.open(opts.dbpath, catalog, { logger, snapshotThresholdBytes: opts.snapshotThresholdBytes })
    : null;

  let requestId = 1;
  let connectionId = 0;
  const runner: CommandRunner = {
    logger,
    nextRequestId: () => (requestId = (requestId % 0x7fffffff) + 1),
    async run(command: Doc, db: string, connId: number): Promise<Doc> {
      const ctx: CommandContext = { catalog, cursors, db, connectionId: connId, effects: [] };
      let reply = dispatchCommand(command, ctx);
      if (ctx.effects.length > 0 && durability) {
        try {
          await durability.commit(ctx.effects);
        } catch (err) {
          logger.error('mongo-wire: journal write failed', err);
          reply = fail('InternalError', 'write could not be made durable').toReply();
        }
      }
      return reply;
    },
  };

  // TTL indexes: expire documents lazily, like mongod's minutely TTL monitor.
  const ttlTimer = setInterval(() => {
    try {
      const effects = expireDocuments(catalog);
      if (effects.length > 0 && durability) {
        durability.commit(effects).catch((err: unknown) => logger.error('mongo-wire: journaling TTL deletes failed', err));
      }
    } catch (err) {
      logger.error('mongo-wire: TTL pass failed', err);
    }
  }, opts.ttlIntervalMs ?? 60_000);
  ttlTimer.unref();

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    try {
      new ConnectionHandler(socket, ++connectionId, runner);
    } catch (err) {
      logger.error('mongo-wire: connection setup failed', err);
      socket.destroy();
    }
  });
  server.on('error', (err) => logger.error('mongo-wire: server error', err));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const listening = (): void => {
        server.off('error', reject);
        resolve();
      };
      if (opts.socketPath) {
        rmSync(opts.socketPath, { force: true });
        // created 0600 from the start: no moment where another user could connect
        const umask = process.umask(0o177);
        try {
          server.listen(opts.socketPath, listening);
        } finally {
          process.umask(umask);
        }
      } else server.listen(opts.port ?? 0, host, listening);
    });
  } catch (err) {
    clearInterval(ttlTimer);
    cursors.close();
    await durability?.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const uri = opts.socketPath ? `mongodb://${encodeURIComponent(opts.socketPath)}` : `mongodb://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(`mongo-wire: listening on ${uri}${opts.dbpath ? ` (dbpath ${opts.dbpath})` : ' (in memory)'}`);
  // Clients in this process may skip the wire (in-process/in-process.store.ts).
  const inProcessId = ++connectionId;
  const inProcess = new InProcessStore((command, db) => runner.run(command, db, inProcessId));
  registerInProcess(uri, inProcess);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const errors: unknown[] = [];
      inProcess.close();
      registerInProcess(uri, undefined);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      clearInterval(ttlTimer);
      for (const s of sockets) s.destroy();
      await stopped;
      cursors.close();
      try {
        await durability?.close();
      } catch (err) {
        errors.push(err);
      }
      if (errors.length > 0) throw errors[0];
    })());

  return { uri, port, close };
}
