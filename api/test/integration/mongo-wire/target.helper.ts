import { randomBytes } from 'node:crypto';
import { startMongoWireServer, type MongoWireServer } from '../../../src/mongo-wire';

/**
 * Where the conformance suites run: the embedded server, or a real MongoDB when MONGODB_URI
 * is set (then the same assertions check the embedded server's fidelity). Each run gets its
 * own database name.
 */
export interface Target {
  uri: string;
  dbName: string;
  embedded: MongoWireServer | null;
  close(): Promise<void>;
}

export async function startTarget(label: string): Promise<Target> {
  const dbName = `mw_${label}_${randomBytes(4).toString('hex')}`;
  const external = process.env.MONGODB_URI;
  if (external) return { uri: external, dbName, embedded: null, close: async () => {} };
  const embedded = await startMongoWireServer({ port: 0 });
  return { uri: embedded.uri, dbName, embedded, close: () => embedded.close() };
}
