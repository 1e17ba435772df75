import { CollectionStore } from './collection.store';
import type { Doc } from './value.key';

/** All databases and their collections, in memory. */
export class Catalog {
  private readonly dbs = new Map<string, Map<string, CollectionStore>>();

  databaseNames(): string[] {
    return [...this.dbs.keys()];
  }

  collections(db: string): CollectionStore[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  get(db: string, name: string): CollectionStore | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** Returns the collection, creating it (and its database) when missing. */
  ensure(db: string, name: string, options: Doc = {}): { coll: CollectionStore; created: boolean } {
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    const existing = colls.get(name);
    if (existing) return { coll: existing, created: false };
    const coll = new CollectionStore(db, name, options);
    colls.set(name, coll);
    return { coll, created: true };
  }

  dropCollection(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.delete(name)) return false;
    if (colls.size === 0) this.dbs.delete(db);
    return true;
  }

  dropDatabase(db: string): boolean {
    return this.dbs.delete(db);
  }
}
