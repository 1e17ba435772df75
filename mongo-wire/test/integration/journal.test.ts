import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Catalog } from '../../src/storage/catalog.store';
import { Durability } from '../../src/storage/durability';
import { applyEffect, type WriteEffect } from '../../src/storage/write.effect';

const logger = { info() {}, warn() {}, error() {} };
const dirs: string[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-wire-journal-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function put(i: number): WriteEffect[] {
  return [{ op: 'put', db: 'd', c: 'c', doc: { _id: i, v: `v${i}` } }];
}

async function reopen(dir: string): Promise<{ catalog: Catalog; durability: Durability }> {
  const catalog = new Catalog();
  return { catalog, durability: await Durability.open(dir, catalog, { logger }) };
}

test('concurrent commits share fsyncs (group commit) and all replay', async () => {
  const dir = tempDir();
  const { durability } = await reopen(dir);
  await Promise.all(Array.from({ length: 200 }, (_, i) => durability.commit(put(i))));
  expect(durability.stats.records).toBe(200);
  expect(durability.stats.fsyncs).toBeLessThan(200);
  await durability.close();
  const again = await reopen(dir);
  expect(again.catalog.get('d', 'c')?.docs.size).toBe(200);
  await again.durability.close();
});

/** What the command layer does: change the catalog, then journal the change. */
function write(catalog: Catalog, durability: Durability, effects: WriteEffect[]): Promise<void> {
  for (const e of effects) applyEffect(catalog, e);
  return durability.commit(effects);
}

test('a crash mid-compaction (two journals, no new snapshot, stray temp file) recovers everything', async () => {
  const dir = tempDir();
  const { catalog, durability } = await reopen(dir);
  for (let i = 0; i < 10; i++) await write(catalog, durability, put(i));
  const gen0 = fs.readFileSync(path.join(dir, 'journal-00000000.log'));
  durability.compact();
  expect(fs.readdirSync(dir).sort()).toEqual(['journal-00000001.log', 'mongod.lock', 'snapshot.bson']);
  for (let i = 10; i < 15; i++) await write(catalog, durability, put(i));
  await write(catalog, durability, [{ op: 'del', db: 'd', c: 'c', id: 3 }]);
  const gen1 = fs.readFileSync(path.join(dir, 'journal-00000001.log'));
  await durability.close();

  // The state just before the snapshot rename: both journals, the old (absent) snapshot, a torn temp file.
  const crashed = tempDir();
  fs.writeFileSync(path.join(crashed, 'journal-00000000.log'), gen0);
  fs.writeFileSync(path.join(crashed, 'journal-00000001.log'), gen1);
  fs.writeFileSync(path.join(crashed, 'snapshot.bson.tmp'), Buffer.from('half a snapshot'));
  const recovered = await reopen(crashed);
  const ids = [...(recovered.catalog.get('d', 'c')?.docs.values() ?? [])].map((d) => d._id).sort((a, b) => Number(a) - Number(b));
  expect(ids).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  await recovered.durability.close();

  // And the normal path: snapshot generation 1 plus journal 1.
  const normal = await reopen(dir);
  expect(normal.catalog.get('d', 'c')?.docs.size).toBe(14);
  await normal.durability.close();
});

test('a dbpath held by a live process is refused', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'mongod.lock'), String(process.ppid));
  await expect(Durability.open(dir, new Catalog(), { logger })).rejects.toThrow(/in use/);
});

test('a write bigger than one record is journaled as a group and replayed all-or-nothing', async () => {
  const dir = tempDir();
  const { catalog, durability } = await reopen(dir);
  await write(catalog, durability, put(-1));
  const before = fs.statSync(path.join(dir, 'journal-00000000.log')).size;
  const big = 'b'.repeat(3 * 1024 * 1024);
  const effects: WriteEffect[] = Array.from({ length: 8 }, (_, i) => ({ op: 'put', db: 'd', c: 'c', doc: { _id: i, big } }));
  await write(catalog, durability, effects);
  await durability.close();
  const full = fs.readFileSync(path.join(dir, 'journal-00000000.log'));
  expect(full.length - before).toBeGreaterThan(24 * 1024 * 1024);

  const whole = await reopen(dir);
  expect(whole.catalog.get('d', 'c')?.docs.size).toBe(9);
  await whole.durability.close();

  // Cut the file inside the group (after its first record): the group goes, the earlier write stays.
  fs.writeFileSync(path.join(dir, 'journal-00000000.log'), full.subarray(0, before + 20 * 1024 * 1024));
  const torn = await reopen(dir);
  expect([...(torn.catalog.get('d', 'c')?.docs.keys() ?? [])]).toHaveLength(1);
  expect(fs.statSync(path.join(dir, 'journal-00000000.log')).size).toBe(before);
  await torn.durability.close();
}, 20_000);
