import type { InProcessStore } from '@cmd-executor/mongo-wire';
import { JobModel, LogChunkModel } from './models';
import { inProcessCollection, type HotCollection } from './in-process-collection';

/**
 * Where the hot paths' jobs and log-chunk commands go: the driver, or, when the store is the
 * embedded server in this process (the default of `npm start`), that server without the wire
 * (in-process-collection.ts). Chosen when the connection opens (mongo-connection.ts); every
 * other call goes through mongoose and the driver either way.
 */
let current: { jobs: HotCollection; logChunks: HotCollection } | undefined;

/** `store`: the embedded server in this process; undefined: the driver. */
export function routeHotPaths(store: InProcessStore | undefined, db: string): void {
  current = store
    ? { jobs: inProcessCollection(store, db, JobModel.collection.collectionName), logChunks: inProcessCollection(store, db, LogChunkModel.collection.collectionName) }
    : undefined;
}

export function jobsCollection(): HotCollection {
  return current?.jobs ?? (JobModel.collection as unknown as HotCollection);
}

export function logChunksCollection(): HotCollection {
  return current?.logChunks ?? (LogChunkModel.collection as unknown as HotCollection);
}
