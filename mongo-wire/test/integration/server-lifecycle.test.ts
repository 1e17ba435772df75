import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { startMongoWireServer } from '../../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-wire-life-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a taken port fails the start and releases the dbpath; close is idempotent and ends clients', async () => {
  const first = await startMongoWireServer({ port: 0 });
  await expect(startMongoWireServer({ port: first.port, dbpath: dir })).rejects.toThrow(/EADDRINUSE/);
  await first.close();

  const server = await startMongoWireServer({ port: 0, dbpath: dir });
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 1000 });
  await client.connect();
  await client.db('life').collection('c').insertOne({ a: 1 });
  await Promise.all([server.close(), server.close()]);
  await expect(client.db('life').collection('c').findOne({})).rejects.toThrow();
  await client.close(true);

  const again = await startMongoWireServer({ port: 0, dbpath: dir });
  const c2 = new MongoClient(again.uri);
  await c2.connect();
  expect(await c2.db('life').collection('c').countDocuments()).toBe(1);
  await c2.close();
  await again.close();
});
