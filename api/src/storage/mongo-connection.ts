import mongoose from 'mongoose';
import type { Logger } from '../logger';
import { startMongoWireServer } from '../mongo-wire';
import { AuditEntryModel, JobModel, LogChunkModel, UserModel, WorkerModel, WorkerTokenModel } from './models';

export interface MongoHandle {
  uri: string;
  embedded: boolean;
  /** Releases this holder's share; the connection (and embedded server) closes with the last one. */
  close(): Promise<void>;
}

interface SharedConnection {
  uri: string;
  embedded: boolean;
  refs: number;
  ready: Promise<void>;
  stopEmbedded?: () => Promise<void>;
}

/**
 * typegoose models live on mongoose's default connection, so every API instance in one process
 * shares it (tests run two). Holders are counted; the last one out disconnects.
 */
const holder: { current?: SharedConnection } = {};

export async function connectMongo(opts: { uri?: string; poolSize: number; logger: Logger }): Promise<MongoHandle> {
  const existing = holder.current;
  if (existing && opts.uri !== undefined && opts.uri !== existing.uri && existing.uri !== '') {
    throw new Error('another MongoDB connection is already open in this process');
  }
  const state: SharedConnection = existing ?? { uri: '', embedded: false, refs: 0, ready: Promise.resolve() };
  if (!existing) {
    holder.current = state;
    state.ready = open(state, opts).catch((err: unknown) => {
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
    embedded: state.embedded,
    close: async () => {
      if (released) return;
      released = true;
      state.refs -= 1;
      if (state.refs > 0) return;
      if (holder.current === state) holder.current = undefined;
      await mongoose.disconnect();
      await state.stopEmbedded?.();
    },
  };
}

async function open(state: SharedConnection, opts: { uri?: string; poolSize: number; logger: Logger }): Promise<void> {
  let uri = opts.uri;
  if (!uri) {
    const embedded = await startMongoWireServer({ port: 0 });
    state.stopEmbedded = () => embedded.close();
    state.embedded = true;
    uri = `${embedded.uri}/cmd-executor`;
    opts.logger.warn(
      { uri },
      'MONGODB_URI is unset: started the embedded in-process MongoDB-wire server (one machine only, data in memory)',
    );
  }
  state.uri = uri;
  try {
    await mongoose.connect(uri, { maxPoolSize: opts.poolSize, serverSelectionTimeoutMS: 10_000 });
    // Collections and indexes exist before the first request (claims and uniqueness rely on them).
    for (const model of [UserModel, JobModel, LogChunkModel, WorkerModel, WorkerTokenModel, AuditEntryModel]) {
      await model.init();
      await model.createIndexes();
    }
  } catch (err) {
    await mongoose.disconnect().catch(() => undefined);
    await state.stopEmbedded?.().catch(() => undefined);
    throw err;
  }
}
