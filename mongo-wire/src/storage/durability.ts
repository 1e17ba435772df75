import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { calculateObjectSize } from 'bson';
import type { Catalog } from './catalog.store';
import { decodeRecords, encodeRecord } from './record.codec';
import type { Doc } from './value.key';
import { applyEffect, type WriteEffect } from './write.effect';

const fdatasync = promisify(fs.fdatasync);
const SNAPSHOT = 'snapshot.bson';
const LOCK = 'mongod.lock';
const JOURNAL_RE = /^journal-(\d+)\.log$/;
const SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024;
const DEFAULT_SNAPSHOT_THRESHOLD = 64 * 1024 * 1024;

interface Logger {
  info(msg: string, meta?: unknown): void;
  warn(msg: string, meta?: unknown): void;
  error(msg: string, meta?: unknown): void;
}

interface Pending {
  buf: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Durability for `--dbpath`: an append-only journal of write effects, fsync'd before a write
 * is acknowledged, and a snapshot it is compacted into now and then.
 *
 * - Group commit: records that arrive while an fsync is in flight go out together in the next
 *   one; each waiter is released only after the fsync covering its record.
 * - Generations: `snapshot.bson` says which generation it starts; `journal-<g>.log` holds the
 *   writes after it. Compaction opens journal g+1 first, then writes the snapshot (temp file,
 *   fsync, rename, fsync dir), then deletes journal g, so a crash at any point leaves either the
 *   old snapshot plus both journals or the new snapshot plus the new journal.
 */
export class Durability {
  private pending: Pending[] = [];
  /** Counters for tests and benchmarks: how many records went out in how many fsyncs. */
  readonly stats = { records: 0, fsyncs: 0, snapshots: 0 };
  /** True while a flush loop runs; cleared in the same tick the loop sees nothing pending. */
  private flushing = false;
  private loop: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly catalog: Catalog,
    private readonly logger: Logger,
    private readonly threshold: number,
    private generation: number,
    private fd: number,
    private journalBytes: number,
  ) {}

  static async open(
    dir: string,
    catalog: Catalog,
    opts: { logger: Logger; snapshotThresholdBytes?: number },
  ): Promise<Durability> {
    // The journal holds everything stored, secret env values included: this user only, whatever the umask.
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    acquireLock(dir);
    // Files an older version (or a loose umask) left readable by others.
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isFile()) fs.chmodSync(path.join(dir, entry.name), 0o600);
    }
    try {
      const snapshotGen = loadSnapshot(dir, catalog);
      const journals = listJournals(dir);
      for (const j of journals.filter((g) => g < snapshotGen)) fs.rmSync(journalPath(dir, j), { force: true });
      const live = journals.filter((g) => g >= snapshotGen);
      let replayed = 0;
      for (const [i, g] of live.entries()) replayed += replayJournal(journalPath(dir, g), catalog, opts.logger, i === live.length - 1);
      const gen = live.length > 0 ? live[live.length - 1] : snapshotGen;
      const file = journalPath(dir, gen);
      const fd = openPrivate(file, 'a');
      fsyncDir(dir);
      const size = fs.fstatSync(fd).size;
      opts.logger.info(`mongo-wire: recovered ${dir} (snapshot generation ${snapshotGen}, ${replayed} journal records)`);
      return new Durability(dir, catalog, opts.logger, opts.snapshotThresholdBytes ?? DEFAULT_SNAPSHOT_THRESHOLD, gen, fd, size);
    } catch (err) {
      releaseLock(dir);
      throw err;
    }
  }

  /** Resolves once the effects are on disk (fsync'd). */
  commit(effects: WriteEffect[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    const buf = encodeEffects(effects);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ buf, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        this.loop = this.flushLoop();
      }
    });
  }

  /**
   * Writes pending records in batches, one fsync per batch. The flag is cleared in the same
   * synchronous step that finds nothing pending (no await in between), so a commit issued by a
   * continuation of the last batch always starts a new loop instead of being stranded.
   */
  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        if (this.journalBytes >= this.threshold) {
          this.compact();
          continue;
        }
        const batch = this.pending.splice(0);
        try {
          const buf = batch.length === 1 ? batch[0].buf : Buffer.concat(batch.map((p) => p.buf));
          writeAll(this.fd, buf);
          await fdatasync(this.fd);
          this.stats.fsyncs++;
          this.stats.records += batch.length;
          this.journalBytes += buf.length;
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
      if (this.journalBytes >= this.threshold && !this.closed) this.compact();
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Writes the whole catalog as a snapshot and starts a new journal generation. Synchronous on
   * purpose: nothing may change the catalog between serialising it and switching journals.
   * Records still pending belong to the old generation and are written (and released) first.
   */
  compact(): void {
    try {
      const batch = this.pending.splice(0);
      if (batch.length > 0) {
        writeAll(this.fd, Buffer.concat(batch.map((p) => p.buf)));
        fs.fdatasyncSync(this.fd);
        for (const p of batch) p.resolve();
      }
      const oldGen = this.generation;
      const newGen = oldGen + 1;
      const newFd = openPrivate(journalPath(this.dir, newGen), 'a');
      fsyncDir(this.dir);
      writeSnapshot(this.dir, this.catalog, newGen);
      fs.closeSync(this.fd);
      this.fd = newFd;
      this.generation = newGen;
      this.journalBytes = 0;
      fs.rmSync(journalPath(this.dir, oldGen), { force: true });
      fsyncDir(this.dir);
      this.stats.snapshots++;
      this.logger.info(`mongo-wire: compacted journal into snapshot generation ${newGen}`);
    } catch (err) {
      // The journal is still complete; compaction will be retried after the next write.
      this.logger.error('mongo-wire: snapshot failed', err);
      this.journalBytes = 0;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    try {
      await this.loop;
    } catch (err) {
      errors.push(err);
    }
    try {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
    } catch (err) {
      errors.push(err);
    }
    releaseLock(this.dir);
    if (errors.length > 0) throw errors[0];
  }
}

/** Keeps each record well under the BSON serializer's 17 MB working buffer. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * One write command's effects as journal bytes. Large batches are cut into several records; all
 * but the last carry `more: true`, and replay applies a group only once its last record is
 * there, so a torn group is dropped whole (the write was never acknowledged).
 */
export function encodeEffects(effects: WriteEffect[]): Buffer {
  if (effects.length <= 1) return encodeRecord({ e: effects });
  const groups: WriteEffect[][] = [];
  let current: WriteEffect[] = [];
  let bytes = 0;
  for (const effect of effects) {
    const size = calculateObjectSize(effect as unknown as Doc);
    if (current.length > 0 && bytes + size > MAX_RECORD_BYTES) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(effect);
    bytes += size;
  }
  groups.push(current);
  return Buffer.concat(groups.map((e, i) => encodeRecord(i < groups.length - 1 ? { e, more: true } : { e })));
}

function journalPath(dir: string, gen: number): string {
  return path.join(dir, `journal-${String(gen).padStart(8, '0')}.log`);
}

function listJournals(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((f) => JOURNAL_RE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function replayJournal(file: string, catalog: Catalog, logger: Logger, isLast: boolean): number {
  const buf = fs.readFileSync(file);
  const { records, ends } = decodeRecords(buf);
  // Apply whole groups only; validBytes ends after the last complete group.
  let group: WriteEffect[] = [];
  let validBytes = 0;
  let applied = 0;
  for (const [i, r] of records.entries()) {
    group.push(...((r.e as WriteEffect[]) ?? []));
    if (r.more === true) continue;
    for (const effect of group) {
      try {
        applyEffect(catalog, effect);
      } catch (err) {
        logger.warn(`mongo-wire: journal effect ${effect.op} could not be replayed`, err);
      }
    }
    group = [];
    validBytes = ends[i];
    applied++;
  }
  if (validBytes < buf.length) {
    // A torn tail is a write that was never acknowledged (its fsync did not complete).
    logger.warn(`mongo-wire: dropping ${buf.length - validBytes} torn bytes at the end of ${path.basename(file)}`);
    if (isLast) fs.truncateSync(file, validBytes);
  }
  return applied;
}

/** Loads `snapshot.bson` into the catalog; returns its generation (0 when there is none). */
function loadSnapshot(dir: string, catalog: Catalog): number {
  const file = path.join(dir, SNAPSHOT);
  if (!fs.existsSync(file)) return 0;
  const { records } = decodeRecords(fs.readFileSync(file));
  const head = records[0];
  const tail = records[records.length - 1];
  if (head?.t !== 'header' || tail?.t !== 'end') throw new Error(`snapshot ${file} is incomplete or corrupt`);
  for (const r of records.slice(1, -1)) {
    if (r.t === 'coll') {
      const { coll } = catalog.ensure(r.db as string, r.c as string, (r.options as Doc) ?? {});
      for (const spec of (r.indexes as Doc[]) ?? []) applyEffect(catalog, { op: 'createIndex', db: coll.db, c: coll.name, spec: spec as never });
    } else if (r.t === 'docs') {
      const coll = catalog.ensure(r.db as string, r.c as string).coll;
      for (const doc of r.docs as Doc[]) coll.put(doc);
    }
  }
  return head.gen as number;
}

function writeSnapshot(dir: string, catalog: Catalog, gen: number): void {
  const tmp = path.join(dir, `${SNAPSHOT}.tmp`);
  const fd = openPrivate(tmp, 'w');
  try {
    writeAll(fd, encodeRecord({ t: 'header', gen, version: 1, at: new Date() }));
    for (const db of catalog.databaseNames()) {
      for (const coll of catalog.collections(db)) {
        const indexes = [...coll.indexes.values()].map((i) => i.spec);
        writeAll(fd, encodeRecord({ t: 'coll', db, c: coll.name, options: coll.options, indexes }));
        let chunk: Doc[] = [];
        let bytes = 0;
        for (const doc of coll.docs.values()) {
          const size = calculateObjectSize(doc);
          if (chunk.length > 0 && bytes + size > SNAPSHOT_CHUNK_BYTES) {
            writeAll(fd, encodeRecord({ t: 'docs', db, c: coll.name, docs: chunk }));
            chunk = [];
            bytes = 0;
          }
          chunk.push(doc);
          bytes += size;
        }
        if (chunk.length > 0) writeAll(fd, encodeRecord({ t: 'docs', db, c: coll.name, docs: chunk }));
      }
    }
    writeAll(fd, encodeRecord({ t: 'end' }));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, SNAPSHOT));
  fsyncDir(dir);
}

function acquireLock(dir: string): void {
  const file = path.join(dir, LOCK);
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) throw new Error(`dbpath ${dir} is in use by process ${pid}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(file, String(process.pid), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Opens a data file readable by this user only (the mode given to open is masked by the umask; fchmod is not). */
function openPrivate(file: string, flags: 'a' | 'w'): number {
  const fd = fs.openSync(file, flags, 0o600);
  fs.fchmodSync(fd, 0o600);
  return fd;
}

function releaseLock(dir: string): void {
  try {
    fs.rmSync(path.join(dir, LOCK), { force: true });
  } catch {
    // Nothing to do: a stale lock names a dead pid and is ignored next time.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
