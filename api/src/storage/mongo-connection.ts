import { inProcessStore } from '@cmd-executor/mongo-wire';
import mongoose from 'mongoose';
import type { Logger } from '../logger';
import { routeHotPaths } from './hot-collections';
import { dropLegacyWorkerIndexes } from './repositories/worker.repository';
import { AuditEntryModel, JobModel, LogChunkModel, UserModel, WorkerModel, WorkerTokenModel } from './models';

export interface MongoHandle {
  uri: string;
  /** Releases this holder's share; the connection closes with the last one. */
  close(): Promise<void>;
}

interface SharedConnection {
  uri: string;
  refs: number;
  ready: Promise<void>;
}

/**
 * typegoose models live on mongoose's default connection, so every API instance in one process
 * shares it (tests run two). Holders are counted; the last one out disconnects.
 */
const holder: { current?: SharedConnection } = {};

export interface ConnectMongoOptions {
  /**
   * Where the store is. Required: a composition root that wants the embedded store
   * (`main.ts`, a test, a benchmark) starts `@cmd-executor/mongo-wire` itself and passes its URI.
   * `undefined` (configuration without MONGODB_URI) is refused with an error that says so.
   */
  uri: string | undefined;
  poolSize: number;
  /** Whether the hot paths may reach an embedded store in this process directly (hot-collections.ts); default true. */
  inProcess?: boolean;
  logger: Logger;
}

export async function connectMongo(opts: ConnectMongoOptions): Promise<MongoHandle> {
  const uri = opts.uri;
  if (!uri) throw new Error('no MongoDB URI: set MONGODB_URI (or start the embedded server in the composition root and pass its URI)');
  const existing = holder.current;
  if (existing && uri !== existing.uri) {
    throw new Error('another MongoDB connection is already open in this process');
  }
  const state: SharedConnection = existing ?? { uri, refs: 0, ready: Promise.resolve() };
  if (!existing) {
    holder.current = state;
    state.ready = open(uri, opts.poolSize, opts.inProcess ?? true, opts.logger).catch((err: unknown) => {
      if (holder.current === state) holder.current = undefined;
      throw err;
    });
  }
  state.refs += 1;
  try {
    await state.ready;
  } catch (err) {
    state.refs -= 1;
    throw err;
  }
  let released = false;
  return {
    uri: state.uri,
    close: async () => {
      if (released) return;
      released = true;
      state.refs -= 1;
      if (state.refs > 0) return;
      if (holder.current === state) holder.current = undefined;
      routeHotPaths();
      await mongoose.disconnect();
    },
  };
}

async function open(uri: string, poolSize: number, inProcess: boolean, logger: Logger): Promise<void> {
  try {
    await mongoose.connect(uri, { maxPoolSize: poolSize, serverSelectionTimeoutMS: 10_000 });
    // Collections and indexes exist before the first request (claims and uniqueness rely on them).
    for (const model of [UserModel, JobModel, LogChunkModel, WorkerModel, WorkerTokenModel, AuditEntryModel]) {
      await model.init();
      await model.createIndexes();
    }
    await dropLegacyWorkerIndexes();
    const direct = inProcess ? inProcessStore(uri) : undefined;
    routeHotPaths(direct && { store: direct, db: mongoose.connection.name });
    // The URI is not logged: it may carry credentials.
    logger.debug({ poolSize, hotPaths: direct ? 'in process' : 'driver' }, 'MongoDB connection open, collections and indexes ready');
  } catch (err) {
    await mongoose.disconnect().catch(() => undefined);
    throw err;
  }
}
