import { Catalog } from './catalog.store';
import { expireDocuments } from './ttl.monitor';

test('documents past expireAfterSeconds are removed and reported for the journal', () => {
  const catalog = new Catalog();
  const { coll } = catalog.ensure('db', 'sessions');
  coll.createIndex({ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 });
  const now = new Date('2026-01-01T00:10:00Z');
  coll.insert({ _id: 'old', at: new Date('2026-01-01T00:08:00Z') });
  coll.insert({ _id: 'fresh', at: new Date('2026-01-01T00:09:30Z') });
  coll.insert({ _id: 'not-a-date', at: 'yesterday' });
  coll.insert({ _id: 'array', at: [new Date('2026-01-01T00:09:59Z'), new Date('2025-12-31T00:00:00Z')] });
  const effects = expireDocuments(catalog, now);
  expect(effects.map((e) => (e.op === 'del' ? e.id : null)).sort()).toEqual(['array', 'old']);
  expect([...coll.docs.values()].map((d) => d._id).sort()).toEqual(['fresh', 'not-a-date']);
});
