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

test('on a Unix socket: only its owner may connect (0600), a stale socket file is replaced, close removes it', async () => {
  const socketPath = path.join(dir, 'store.sock');
  fs.writeFileSync(socketPath, 'left by a killed server'); // a stale file where the socket goes
  const server = await startMongoWireServer({ socketPath });
  expect(server.uri).toBe(`mongodb://${encodeURIComponent(socketPath)}`);
  const st = fs.statSync(socketPath);
  expect(st.isSocket()).toBe(true);
  expect(st.mode & 0o777).toBe(0o600);
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 1000 });
  await client.connect();
  await client.db('life').collection('sock').insertOne({ a: 1 });
  expect(await client.db('life').collection('sock').findOne({}, { projection: { _id: 0 } })).toEqual({ a: 1 });
  await client.close();
  await server.close();
  expect(fs.existsSync(socketPath)).toBe(false);
});
