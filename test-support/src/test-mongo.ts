import { randomBytes } from 'node:crypto';
import { startMongoWireServer, type MongoWireServer } from '@cmd-executor/mongo-wire';

/**
 * A store for a test that talks to MongoDB directly: its own embedded MongoDB-wire server, or
 * a real MongoDB when MONGODB_URI is set (then the same assertions check the embedded server's
 * fidelity). Each run gets its own database name; `uri` names no database.
 */
export interface TestMongo {
  uri: string;
  dbName: string;
  embedded: MongoWireServer | null;
  close(): Promise<void>;
}

export async function startTestMongo(label: string): Promise<TestMongo> {
  const dbName = `mw_${label}_${randomBytes(4).toString('hex')}`;
  const external = process.env.MONGODB_URI;
  if (external) return { uri: external, dbName, embedded: null, close: async () => {} };
  const embedded = await startMongoWireServer({ port: 0 });
  return { uri: embedded.uri, dbName, embedded, close: () => embedded.close() };
}
