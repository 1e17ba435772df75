import type { Catalog } from './catalog.store';
import { type Doc, pathValues, valueKey } from './value.key';
import type { WriteEffect } from './write.effect';

/**
 * mongod's TTL monitor, done lazily: removes documents whose indexed date (the earliest, for
 * an array) is older than the index's `expireAfterSeconds`. Returns the effects to journal.
 * A scan per TTL index, run every minute or so, is what mongod does too.
 */
export function expireDocuments(catalog: Catalog, now: Date = new Date()): WriteEffect[] {
  const effects: WriteEffect[] = [];
  for (const db of catalog.databaseNames()) {
    for (const coll of catalog.collections(db)) {
      for (const index of coll.indexes.values()) {
        const ttl = index.spec.expireAfterSeconds;
        if (typeof ttl !== 'number' || Number.isNaN(ttl) || index.fields.length !== 1) continue;
        const cutoff = now.getTime() - ttl * 1000;
        const expired: Doc[] = [];
        for (const doc of coll.docs.values()) {
          const dates = pathValues(doc, index.fields[0]).filter((v): v is Date => v instanceof Date);
          if (dates.length > 0 && Math.min(...dates.map((d) => d.getTime())) < cutoff) expired.push(doc);
        }
        for (const doc of expired) {
          if (!coll.remove(valueKey(doc._id))) continue;
          effects.push({ op: 'del', db, c: coll.name, id: doc._id });
        }
      }
    }
  }
  return effects;
}
