import type { InProcessStore } from '@cmd-executor/mongo-wire';
import { JobModel, LogChunkModel, WorkerModel } from './models';
import { inProcessCollection, type HotCollection } from './in-process-collection';

/**
 * Where the hot paths' commands on jobs, log chunks and workers (heartbeats) go: the driver,
 * or, when the store is the embedded server in this process (the default of `npm start`), that
 * server without the wire (in-process-collection.ts). Chosen when the connection opens
 * (mongo-connection.ts); every other call goes through mongoose and the driver either way.
 */
let current: { jobs: HotCollection; logChunks: HotCollection; workers: HotCollection } | undefined;

/** `inProcess`: the embedded server in this process and the database in it; undefined: the driver. */
export function routeHotPaths(inProcess?: { store: InProcessStore; db: string }): void {
  current = inProcess
    ? {
        jobs: inProcessCollection(inProcess.store, inProcess.db, JobModel.collection.collectionName),
        logChunks: inProcessCollection(inProcess.store, inProcess.db, LogChunkModel.collection.collectionName),
        workers: inProcessCollection(inProcess.store, inProcess.db, WorkerModel.collection.collectionName),
      }
    : undefined;
}

export function jobsCollection(): HotCollection {
  return current?.jobs ?? (JobModel.collection as unknown as HotCollection);
}

export function logChunksCollection(): HotCollection {
  return current?.logChunks ?? (LogChunkModel.collection as unknown as HotCollection);
}

export function workersCollection(): HotCollection {
  return current?.workers ?? (WorkerModel.collection as unknown as HotCollection);
}
