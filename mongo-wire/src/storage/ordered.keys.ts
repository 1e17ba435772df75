import { compareValues, typeRank } from '../query/sort.order';

/** One index entry in key order: the field values, the document's insertion sequence and `_id` key. */
export interface OrderedEntry {
  readonly vals: readonly unknown[];
  readonly seq: number;
  readonly id: string;
}

/**
 * The lowest (`edge` -1) or highest (`edge` 1) possible value of one BSON type bracket, so a
 * one-sided range (`{$gt: 5}`) stays within numbers as MongoDB's comparisons do.
 */
export class TypeBracket {
  constructor(
    readonly rank: number,
    readonly edge: -1 | 1,
  ) {}

  static of(v: unknown, edge: -1 | 1): TypeBracket {
    return new TypeBracket(typeRank(v), edge);
  }
}

/**
 * A position between entries: the entries whose leading values equal `vals` sit after a probe
 * with `tail` -1 and before one with `tail` 1. A probe never equals an entry.
 */
export interface Probe {
  vals: unknown[];
  tail: -1 | 1;
}

function compareToBound(v: unknown, bound: unknown): number {
  if (bound instanceof TypeBracket) {
    const r = typeRank(v) - bound.rank;
    return r !== 0 ? r : -bound.edge;
  }
  return compareValues(v, bound);
}

/** A place between entries: block `b`, offset `o` (normalised: `o` < the block's length unless at the end). */
export interface Pos {
  b: number;
  o: number;
}

/** Entries per block before it splits: splices stay within a small array. */
const MAX_BLOCK = 1024;

/**
 * The entries of one index in key order (each field in its index direction, ties by insertion
 * sequence, as mongod orders equal keys by record id). A list of sorted blocks: binary search
 * over the blocks' last entries, then within one block; inserts and deletes splice one block
 * of at most 1024 entries, so writes stay cheap whatever the collection's size.
 */
export class OrderedKeys {
  private readonly blocks: OrderedEntry[][] = [];
  private count = 0;

  constructor(private readonly dirs: readonly (1 | -1)[]) {}

  get size(): number {
    return this.count;
  }

  get start(): Pos {
    return { b: 0, o: 0 };
  }

  get end(): Pos {
    return { b: this.blocks.length, o: 0 };
  }

  insert(vals: readonly unknown[], seq: number, id: string): void {
    const entry = { vals, seq, id };
    this.count++;
    const n = this.blocks.length;
    if (n === 0) {
      this.blocks.push([entry]);
      return;
    }
    // Appends in key order (ascending _id, createdAt = now) are the common case: check the end first.
    const tail = this.blocks[n - 1];
    let b = this.compare(tail[tail.length - 1], entry) < 0 ? n - 1 : this.blockFor((last) => this.compare(last, entry) >= 0);
    if (b === n) b = n - 1;
    const block = this.blocks[b];
    if (this.compare(block[block.length - 1], entry) < 0) block.push(entry);
    else block.splice(this.searchIn(block, entry), 0, entry);
    if (block.length > MAX_BLOCK) this.blocks.splice(b + 1, 0, block.splice(block.length >>> 1));
  }

  /** Removes the entry with exactly these values and sequence; false when absent. */
  delete(vals: readonly unknown[], seq: number): boolean {
    const probe = { vals, seq, id: '' };
    const b = this.blockFor((last) => this.compare(last, probe) >= 0);
    if (b === this.blocks.length) return false;
    const block = this.blocks[b];
    const i = this.searchIn(block, probe);
    if (i >= block.length || this.compare(block[i], probe) !== 0) return false;
    block.splice(i, 1);
    if (block.length === 0) this.blocks.splice(b, 1);
    this.count--;
    return true;
  }

  clear(): void {
    this.blocks.length = 0;
    this.count = 0;
  }

  /** The position of the first entry after `probe`. */
  after(probe: Probe): Pos {
    const b = this.blockFor((last) => this.compareProbe(last, probe) > 0);
    if (b === this.blocks.length) return this.end;
    const block = this.blocks[b];
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareProbe(block[mid], probe) < 0) lo = mid + 1;
      else hi = mid;
    }
    return { b, o: lo };
  }

  /** Entries between two positions (`to` not before `from`). */
  distance(from: Pos, to: Pos): number {
    if (to.b < from.b || (to.b === from.b && to.o <= from.o)) return 0;
    if (from.b === to.b) return to.o - from.o;
    let n = this.blocks[from.b].length - from.o + to.o;
    for (let b = from.b + 1; b < to.b; b++) n += this.blocks[b].length;
    return n;
  }

  /** The entries from `from` up to `to` (exclusive), backwards when `reverse`. */
  *between(from: Pos, to: Pos, reverse = false): Generator<OrderedEntry> {
    if (this.distance(from, to) === 0) return;
    if (!reverse) {
      for (let b = from.b, o = from.o; b < to.b || (b === to.b && o < to.o); ) {
        yield this.blocks[b][o];
        if (++o >= this.blocks[b].length) [b, o] = [b + 1, 0];
      }
      return;
    }
    // Start at the entry just before `to`.
    let [b, o] = to.o > 0 ? [to.b, to.o - 1] : [to.b - 1, this.blocks[to.b - 1].length - 1];
    for (;;) {
      yield this.blocks[b][o];
      if (b === from.b && o === from.o) return;
      if (--o < 0) {
        b--;
        o = this.blocks[b].length - 1;
      }
    }
  }

  /** Every entry in order (tests, debugging). */
  entries(): OrderedEntry[] {
    return this.blocks.flat();
  }

  /** Index of the first block for which `test(last entry)` holds (monotonic), or the block count. */
  private blockFor(test: (last: OrderedEntry) => boolean): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid];
      if (!test(block[block.length - 1])) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in `block` of the first entry not before `entry`. */
  private searchIn(block: OrderedEntry[], entry: OrderedEntry): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(block[mid], entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Key order of two entries on the fields from `from` on (then insertion sequence). */
  compare(a: OrderedEntry, b: OrderedEntry, from = 0): number {
    for (let i = from; i < this.dirs.length; i++) {
      const c = compareValues(a.vals[i], b.vals[i]);
      if (c !== 0) return c * this.dirs[i];
    }
    return a.seq - b.seq;
  }

  private compareProbe(e: OrderedEntry, probe: Probe): number {
    for (let i = 0; i < probe.vals.length; i++) {
      const c = compareToBound(e.vals[i], probe.vals[i]);
      if (c !== 0) return c * this.dirs[i];
    }
    return -probe.tail;
  }
}
