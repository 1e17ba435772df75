import type { CommandHandler } from './command.context';

/** MongoDB 7.0's wire version: high enough for mongoose 9 / driver 7, below client-level bulkWrite (25). */
export const MAX_WIRE_VERSION = 21;
export const SERVER_VERSION = '7.0.0';
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

/**
 * The handshake reply. No `setName` (a standalone, so drivers send no transactions or
 * retryable-write txnNumbers) and never `$clusterTime`/`topologyVersion` (which would make
 * drivers gossip cluster time or start streaming hello).
 */
export const hello: CommandHandler = (cmd, ctx) => ({
  helloOk: true,
  ismaster: true,
  isWritablePrimary: true,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connectionId,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
  ok: 1,
});

export const ping: CommandHandler = () => ({ ok: 1 });

export const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'cmd-executor-embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ['embedded'],
  ok: 1,
});

export const endSessions: CommandHandler = () => ({ ok: 1 });
