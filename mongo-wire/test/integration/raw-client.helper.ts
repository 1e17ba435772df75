import { connect, type Socket } from 'node:net';
import { BSON, type Document } from 'bson';

export const OP_MSG = 2013;
export const OP_QUERY = 2004;

export function frame(requestID: number, opCode: number, body: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length, 0);
  header.writeInt32LE(requestID, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, body]);
}

/** An OP_MSG with one body section. */
export function opMsg(requestID: number, doc: Document, flags = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32LE(flags, 0);
  return frame(requestID, OP_MSG, Buffer.concat([prefix, Buffer.from(BSON.serialize(doc))]));
}

/** A legacy OP_QUERY command, as drivers send the first `ismaster`. */
export function opQuery(requestID: number, collection: string, doc: Document): Buffer {
  const flags = Buffer.alloc(4);
  const name = Buffer.from(`${collection}\0`);
  const skipReturn = Buffer.alloc(8);
  skipReturn.writeInt32LE(-1, 4);
  return frame(requestID, OP_QUERY, Buffer.concat([flags, name, skipReturn, Buffer.from(BSON.serialize(doc))]));
}

export interface Reply {
  responseTo: number;
  opCode: number;
  doc: Document;
}

/** A bare socket that reads whole reply frames. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next reply frame, or null when the server closed the connection or nothing came in time. */
  async next(timeoutMs = 2000): Promise<Reply | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 4) {
        const len = this.buf.readInt32LE(0);
        if (this.buf.length >= len) {
          const f = this.buf.subarray(0, len);
          this.buf = this.buf.subarray(len);
          const opCode = f.readInt32LE(12);
          const docStart = opCode === OP_MSG ? 21 : 36;
          return { responseTo: f.readInt32LE(8), opCode, doc: BSON.deserialize(f.subarray(docStart)) };
        }
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Reads replies until the one answering `requestID`. */
  async replyTo(requestID: number, timeoutMs = 2000): Promise<Reply | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.next(Math.max(1, deadline - Date.now()));
      if (r === null || r.responseTo === requestID) return r;
    }
  }

  async command(requestID: number, doc: Document): Promise<Document | null> {
    this.send(opMsg(requestID, doc));
    return (await this.replyTo(requestID))?.doc ?? null;
  }

  close(): void {
    this.socket.destroy();
  }
}
