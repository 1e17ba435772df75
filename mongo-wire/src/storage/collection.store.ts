import { calculateObjectSize } from 'bson';
import { fail } from '../errors';
import { duplicateKeyError, IndexStore, type IndexSpec } from './index.store';
import { type Doc, isPlainObject, valueKey } from './value.key';

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** mongod's limit for stored documents; deeper ones could not be read back by most clients. */
const MAX_NESTING_DEPTH = 180;

function depthExceeds(v: unknown, depth: number): boolean {
  if (depth > MAX_NESTING_DEPTH) return true;
  if (Array.isArray(v)) return v.some((e) => depthExceeds(e, depth + 1));
  if (isPlainObject(v)) {
    for (const k in v) if (depthExceeds(v[k], depth + 1)) return true;
  }
  return false;
}

function checkSize(doc: Doc, isUpdate: boolean): void {
  if (depthExceeds(doc, 0)) throw fail('Overflow', `Document exceeds maximum nesting depth of ${MAX_NESTING_DEPTH}`);
  const size = calculateObjectSize(doc);
  if (size <= MAX_DOCUMENT_BYTES) return;
  if (isUpdate) throw fail('UpdateResultTooLarge', `Resulting document after update is larger than ${MAX_DOCUMENT_BYTES}`);
  throw fail('BSONObjectTooLarge', `object to insert too large. size in bytes: ${size}, max size: ${MAX_DOCUMENT_BYTES}`);
}

/**
 * One collection: documents by `_id` key (insertion-ordered, so scans return natural order)
 * plus its secondary indexes. Stored documents are never mutated in place: writers build a
 * new document and swap it in, so cursors and replies may share references safely.
 */
export class CollectionStore {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, IndexStore>();
  /** Insertion sequence per document (kept across replaces, like its place in `docs`): ties in index order. */
  private readonly seqs = new Map<string, number>();
  private nextSeq = 0;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get(idKey: string): Doc | undefined {
    return this.docs.get(idKey);
  }

  /** Inserts a document that already has an `_id`; throws DuplicateKey and changes nothing on conflict. */
  insert(doc: Doc): void {
    checkSize(doc, false);
    const idKey = valueKey(doc._id);
    if (this.docs.has(idKey)) throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, ['_id'], [doc._id]);
    for (const index of this.indexes.values()) index.checkUnique(idKey, doc, this.ns);
    const seq = this.nextSeq++;
    for (const index of this.indexes.values()) index.add(idKey, doc, seq);
    this.docs.set(idKey, doc);
    this.seqs.set(idKey, seq);
  }

  /** Swaps in a new version of a stored document (same `_id`), checking unique indexes first. */
  replace(idKey: string, next: Doc): void {
    const prev = this.docs.get(idKey);
    if (!prev) throw fail('InternalError', `document ${idKey} vanished during update`);
    checkSize(next, true);
    const changed = [...this.indexes.values()].filter((index) => !index.sameEntries(prev, next));
    for (const index of changed) index.checkUnique(idKey, next, this.ns);
    const seq = this.seqs.get(idKey) ?? 0;
    for (const index of changed) index.replace(idKey, prev, next, seq);
    this.docs.set(idKey, next);
  }

  /** Insert, or overwrite the document with the same `_id` (journal replay). */
  put(doc: Doc): void {
    const idKey = valueKey(doc._id);
    if (this.docs.has(idKey)) this.replace(idKey, doc);
    else this.insert(doc);
  }

  remove(idKey: string): Doc | undefined {
    const prev = this.docs.get(idKey);
    if (!prev) return undefined;
    const seq = this.seqs.get(idKey) ?? 0;
    for (const index of this.indexes.values()) index.remove(idKey, prev, seq);
    this.docs.delete(idKey);
    this.seqs.delete(idKey);
    return prev;
  }

  /** Builds an index over the existing documents; a uniqueness conflict leaves the collection as it was. */
  createIndex(spec: IndexSpec): void {
    const index = new IndexStore(spec);
    for (const [idKey, doc] of this.docs) {
      index.checkUnique(idKey, doc, this.ns);
      index.add(idKey, doc, this.seqs.get(idKey) ?? 0);
    }
    this.indexes.set(spec.name, index);
  }

  dropIndex(name: string): boolean {
    return this.indexes.delete(name);
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX_SPEC, ...[...this.indexes.values()].map((i) => i.spec)];
  }
}
