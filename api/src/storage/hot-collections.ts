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

/** `inProcess`: the embedded server in this process and the database in it; undefined: the driver. */
export function routeHotPaths(inProcess?: { store: InProcessStore; db: string }): void {
  current = inProcess
    ? {
        jobs: inProcessCollection(inProcess.store, inProcess.db, JobModel.collection.collectionName),
        logChunks: inProcessCollection(inProcess.store, inProcess.db, LogChunkModel.collection.collectionName),
      }
    : undefined;
}

export function jobsCollection(): HotCollection {
  return current?.jobs ?? (JobModel.collection as unknown as HotCollection);
}

export function logChunksCollection(): HotCollection {
  return current?.logChunks ?? (LogChunkModel.collection as unknown as HotCollection);
}
