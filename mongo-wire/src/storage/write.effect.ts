import type { Catalog } from './catalog.store';
import type { IndexSpec } from './index.store';
import { type Doc, valueKey } from './value.key';

/**
 * A write as the journal stores it: its effect on the catalog, not the command. Effects are
 * whole documents and ids, so replaying them is deterministic and idempotent (replaying a
 * journal over a snapshot that already contains it yields the same state).
 */
export type WriteEffect =
  | { op: 'put'; db: string; c: string; doc: Doc }
  | { op: 'del'; db: string; c: string; id: unknown }
  | { op: 'createColl'; db: string; c: string; options: Doc }
  | { op: 'createIndex'; db: string; c: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; c: string; name: string }
  | { op: 'dropColl'; db: string; c: string }
  | { op: 'dropDb'; db: string };

/** Applies one effect to the catalog (journal replay and snapshot load). */
export function applyEffect(catalog: Catalog, e: WriteEffect): void {
  switch (e.op) {
    case 'put':
      catalog.ensure(e.db, e.c).coll.put(e.doc);
      return;
    case 'del':
      catalog.get(e.db, e.c)?.remove(valueKey(e.id));
      return;
    case 'createColl':
      catalog.ensure(e.db, e.c, e.options);
      return;
    case 'createIndex': {
      const { coll } = catalog.ensure(e.db, e.c);
      if (!coll.indexes.has(e.spec.name)) coll.createIndex(e.spec);
      return;
    }
    case 'dropIndex':
      catalog.get(e.db, e.c)?.dropIndex(e.name);
      return;
    case 'dropColl':
      catalog.dropCollection(e.db, e.c);
      return;
    case 'dropDb':
      catalog.dropDatabase(e.db);
      return;
    default: {
      const never: never = e;
      throw new Error(`unknown journal effect ${JSON.stringify(never)}`);
    }
  }
}
