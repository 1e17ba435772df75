export { startMongoWireServer } from './server';
export type { Logger, MongoWireServer, MongoWireServerOptions } from './server';
export { inProcessStore, InProcessStore } from './in-process/in-process.store';
