export { startMongoWireServer } from './server';
export type { Logger, MongoWireServer, MongoWireServerOptions } from './server';
