import { crc32 } from 'node:zlib';
import { BSON, type Document } from 'bson';
import type { Doc } from './value.key';

/**
 * Framing for journal and snapshot files: `[int32 length][uint32 crc32][BSON]` per record.
 * The checksum catches a torn final write after a crash; decoding stops at the first record
 * that is short or does not check out.
 */
const PREFIX = 8;
const DESERIALIZE = { promoteLongs: true, promoteValues: true, promoteBuffers: false } as const;

export function encodeRecord(doc: Doc): Buffer {
  const body = BSON.serialize(doc as Document, { ignoreUndefined: true });
  const out = Buffer.allocUnsafe(PREFIX + body.length);
  out.writeInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  out.set(body, PREFIX);
  return out;
}

export interface DecodedRecords {
  records: Doc[];
  /** Byte offset just past each record. */
  ends: number[];
  /** Bytes of the buffer that hold whole, valid records; anything after is a torn tail. */
  validBytes: number;
}

export function decodeRecords(buf: Buffer): DecodedRecords {
  const records: Doc[] = [];
  const ends: number[] = [];
  let pos = 0;
  while (pos + PREFIX <= buf.length) {
    const len = buf.readInt32LE(pos);
    if (len < 5 || pos + PREFIX + len > buf.length) break;
    const body = buf.subarray(pos + PREFIX, pos + PREFIX + len);
    if (crc32(body) !== buf.readUInt32LE(pos + 4)) break;
    try {
      records.push(BSON.deserialize(body, DESERIALIZE) as Doc);
      ends.push(pos + PREFIX + len);
    } catch {
      break;
    }
    pos += PREFIX + len;
  }
  return { records, ends, validBytes: pos };
}
