import { BSON } from 'bson';
import { startMongoWireServer, type MongoWireServer } from '../../src';
import { frame, OP_MSG, OP_QUERY, opMsg, opQuery, RawClient } from './raw-client.helper';
import { prng, SEED } from '@cmd-executor/test-support/seeded-random';

const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

let server: MongoWireServer;
const open: RawClient[] = [];
let nextId = 1000;

beforeAll(async () => {
  server = await startMongoWireServer({ port: 0 });
  process.stdout.write(`protocol fuzz seed ${SEED} (MONGO_WIRE_SEED)\n`);
});
afterAll(async () => {
  for (const c of open) c.close();
  await server?.close();
});

async function client(): Promise<RawClient> {
  const c = await RawClient.open(server.port);
  open.push(c);
  return c;
}

async function expectPing(c: RawClient): Promise<void> {
  const reply = await c.command(++nextId, { ping: 1, $db: 'admin' });
  expect(reply).toMatchObject({ ok: 1 });
}

async function expectFreshPing(): Promise<void> {
  const c = await client();
  await expectPing(c);
  c.close();
}

test('the handshake: legacy OP_QUERY ismaster gets an OP_REPLY, then OP_MSG', async () => {
  const c = await client();
  c.send(opQuery(1, 'admin.$cmd', { ismaster: 1, client: { driver: { name: 'raw' } } }));
  const hello = await c.next();
  expect(hello?.opCode).toBe(1);
  expect(hello?.doc).toMatchObject({ ok: 1, ismaster: true, minWireVersion: 0 });
  await expectPing(c);
  // moreToCome: the server must not answer.
  c.send(opMsg(2, { insert: 'fuzz', documents: [{ a: 1 }], $db: 'fuzz' }, 1 << 1));
  await expectPing(c);
  const count = await c.command(3, { count: 'fuzz', $db: 'fuzz' });
  expect(count).toMatchObject({ n: 1, ok: 1 });
  c.close();
});

test('malformed BSON, unknown opcodes and bad commands get error replies on a live connection', async () => {
  const c = await client();
  const garbage = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from([20, 0, 0, 0, 0x99, 0x41, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0])]);
  c.send(frame(7, OP_MSG, garbage));
  const bad = await c.replyTo(7);
  expect(bad?.doc).toMatchObject({ ok: 0 });
  expect([2, 22]).toContain(bad?.doc.code);
  c.send(frame(8, 4242, Buffer.from('hello')));
  expect((await c.replyTo(8))?.doc).toMatchObject({ ok: 0 });
  expect(await c.command(9, { find: 'x', filter: { a: { $bogus: 1 } }, $db: 'fuzz' })).toMatchObject({ ok: 0, code: 2 });
  expect(await c.command(10, { frobnicate: 1, $db: 'fuzz' })).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound' });
  expect(await c.command(11, { insert: 'x', documents: 'nope', $db: 'fuzz' })).toMatchObject({ ok: 0 });
  expect(await c.command(12, { ping: 1 })).toMatchObject({ ok: 0 }); // no $db
  c.send(opQuery(13, 'fuzz.coll', { find: 1 })); // legacy find: refused, not crashed
  expect((await c.replyTo(13))?.doc).toMatchObject({ ok: 0 });
  await expectPing(c);
  c.close();
});

test('impossible message lengths get an error reply and a closed connection', async () => {
  for (const len of [48_000_001, 0x7fffffff, 15, 0, -5]) {
    const c = await client();
    const header = Buffer.alloc(16);
    header.writeInt32LE(len, 0);
    header.writeInt32LE(77, 4);
    header.writeInt32LE(OP_MSG, 12);
    c.send(header);
    const reply = await c.next();
    expect(reply?.doc).toMatchObject({ ok: 0 });
    expect(await c.next()).toBeNull(); // closed
    await expectFreshPing();
  }
});

test('a truncated frame waits for the rest; a socket that ends mid-frame is just closed', async () => {
  const c = await client();
  const ping = opMsg(55, { ping: 1, $db: 'admin' });
  c.send(ping.subarray(0, 10));
  await new Promise((r) => setTimeout(r, 20));
  c.send(ping.subarray(10));
  expect((await c.replyTo(55))?.doc).toMatchObject({ ok: 1 });
  c.send(ping.subarray(0, 20));
  c.socket.end();
  expect(await c.next()).toBeNull();
  await expectFreshPing();
});

test(`300 random and mutated frames never take the server down`, async () => {
  const valid = [
    () => opMsg(++nextId, { ping: 1, $db: 'admin' }),
    () => opMsg(++nextId, { insert: 'fz', documents: [{ a: int(10), s: 'x'.repeat(int(50)) }], $db: 'fuzz' }),
    () => opMsg(++nextId, { find: 'fz', filter: { a: { $gte: int(10) } }, sort: { a: -1 }, batchSize: 2, $db: 'fuzz' }),
    () => opMsg(++nextId, { update: 'fz', updates: [{ q: { a: int(10) }, u: { $inc: { n: 1 } }, upsert: true }], $db: 'fuzz' }),
    () => opMsg(++nextId, { aggregate: 'fz', pipeline: [{ $group: { _id: '$a', n: { $sum: 1 } } }], cursor: {}, $db: 'fuzz' }),
    () => opQuery(++nextId, 'admin.$cmd', { ismaster: 1 }),
  ];
  let c = await client();
  const started = Date.now();
  for (let i = 0; i < 300; i++) {
    const kind = int(4);
    if (kind === 0) {
      // Random bytes: any length prefix at all. The connection may be closed afterwards.
      c.send(bytes(1 + int(64)));
      c.close();
      c = await client();
    } else if (kind === 1) {
      // A valid frame with body bytes flipped (length kept): whatever it decodes to gets a reply or none, never a crash.
      const f = valid[int(valid.length)]();
      for (let k = 0; k < 1 + int(4); k++) f[16 + int(f.length - 16)] = int(256);
      c.send(f);
      const id = ++nextId;
      c.send(opMsg(id, { ping: 1, $db: 'admin' }));
      const r = await c.replyTo(id, 3000);
      if (r === null) {
        // A mutation can still produce a frame the server cannot resynchronise from; then the socket is closed.
        expect(c.closed).toBe(true);
        c = await client();
      } else expect(r.doc).toMatchObject({ ok: 1 });
    } else if (kind === 2) {
      // Valid framing, garbage body.
      const id = ++nextId;
      c.send(frame(id, random() < 0.5 ? OP_MSG : OP_QUERY, bytes(5 + int(80))));
      const r = await c.replyTo(id);
      expect(r?.doc.ok).toBe(0);
    } else {
      // Valid BSON with odd values in command fields.
      const odd = [null, 1, 'x', [], {}, { $where: 'x' }, -1, 1e300, [{}], true];
      const name = ['find', 'insert', 'update', 'delete', 'findAndModify', 'aggregate', 'count', 'distinct', 'createIndexes', 'getMore', 'killCursors', 'listIndexes', 'drop', 'create'][int(14)];
      const cmd: Record<string, unknown> = { [name]: random() < 0.5 ? 'fz' : odd[int(odd.length)] };
      for (const field of ['filter', 'documents', 'updates', 'deletes', 'pipeline', 'query', 'update', 'sort', 'key', 'indexes', 'cursors', 'limit', 'batchSize']) {
        if (random() < 0.3) cmd[field] = odd[int(odd.length)];
      }
      const id = ++nextId;
      c.send(opMsg(id, { ...cmd, $db: 'fuzz' }));
      const r = await c.replyTo(id);
      expect(r).not.toBeNull();
      expect([0, 1]).toContain(r?.doc.ok);
    }
  }
  c.close();
  await expectFreshPing();
  expect(Date.now() - started).toBeLessThan(20_000);
}, 30_000);

test('documents nested too deeply are refused, the connection stays usable', async () => {
  const c = await client();
  const nest = (depth: number) => {
    let d: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < depth; i++) d = { n: d };
    return d;
  };
  expect(await c.command(600, { insert: 'deep', documents: [nest(100)], $db: 'fuzz' })).toMatchObject({ n: 1, ok: 1 });
  const refused = await c.command(601, { insert: 'deep', documents: [nest(2000)], $db: 'fuzz' });
  expect(refused).toMatchObject({ n: 0, ok: 1, writeErrors: [{ index: 0, code: 15 }] });
  expect(await c.command(602, { count: 'deep', $db: 'fuzz' })).toMatchObject({ n: 1, ok: 1 });
  c.close();
});

test('BSON in an OP_MSG kind-1 document sequence is parsed like the body', async () => {
  const c = await client();
  const docs = [{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }].map((d) => Buffer.from(BSON.serialize(d)));
  const ident = Buffer.from('documents\0');
  const seqLen = Buffer.alloc(4);
  seqLen.writeInt32LE(4 + ident.length + docs.reduce((n, d) => n + d.length, 0));
  const body = Buffer.from(BSON.serialize({ insert: 'seq', $db: 'fuzz' }));
  const flags = Buffer.alloc(4);
  c.send(frame(900, OP_MSG, Buffer.concat([flags, Buffer.from([0]), body, Buffer.from([1]), seqLen, ident, ...docs])));
  expect((await c.replyTo(900))?.doc).toMatchObject({ n: 2, ok: 1 });
  c.close();
});
