import { BSON, type Document } from 'bson';
import { fail } from '../errors';
import type { Doc } from '../storage/value.key';

/** Wire opcodes this server reads or writes. */
export const OpCode = { REPLY: 1, QUERY: 2004, COMPRESSED: 2012, MSG: 2013 } as const;
export const HEADER_SIZE = 16;
export const MSG_FLAG_CHECKSUM_PRESENT = 1 << 0;
export const MSG_FLAG_MORE_TO_COME = 1 << 1;

export interface MessageHeader {
  messageLength: number;
  requestID: number;
  responseTo: number;
  opCode: number;
}

/** A decoded request: an OP_MSG command, a legacy OP_QUERY (the handshake), or an opcode we do not serve. */
export type WireRequest =
  | { kind: 'msg'; header: MessageHeader; flagBits: number; command: Doc }
  | { kind: 'query'; header: MessageHeader; collection: string; command: Doc }
  | { kind: 'unsupported'; header: MessageHeader };

const DESERIALIZE = { promoteLongs: true, promoteValues: true, promoteBuffers: false, validation: { utf8: true } } as const;

export function readHeader(buf: Buffer): MessageHeader {
  return {
    messageLength: buf.readInt32LE(0),
    requestID: buf.readInt32LE(4),
    responseTo: buf.readInt32LE(8),
    opCode: buf.readInt32LE(12),
  };
}

/** Decodes one complete frame. Throws a MongoCommandError (InvalidBSON / ProtocolError) on malformed input. */
export function decodeMessage(frame: Buffer): WireRequest {
  const header = readHeader(frame);
  switch (header.opCode) {
    case OpCode.MSG:
      return decodeMsg(header, frame);
    case OpCode.QUERY:
      return decodeQuery(header, frame);
    default:
      return { kind: 'unsupported', header };
  }
}

function decodeMsg(header: MessageHeader, frame: Buffer): WireRequest {
  if (frame.length < HEADER_SIZE + 5) throw fail('ProtocolError', 'OP_MSG too short');
  const flagBits = frame.readUInt32LE(HEADER_SIZE);
  const end = flagBits & MSG_FLAG_CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
  let pos = HEADER_SIZE + 4;
  let body: Doc | undefined;
  const sequences: Array<[string, Doc[]]> = [];
  while (pos < end) {
    const kind = frame[pos++];
    if (kind === 0) {
      if (body) throw fail('ProtocolError', 'OP_MSG has more than one body section');
      const [doc, next] = readDocument(frame, pos, end);
      body = doc;
      pos = next;
    } else if (kind === 1) {
      if (pos + 4 > end) throw fail('ProtocolError', 'truncated document sequence');
      const size = frame.readInt32LE(pos);
      const seqEnd = pos + size;
      if (size < 5 || seqEnd > end) throw fail('ProtocolError', 'invalid document sequence size');
      const nameEnd = frame.indexOf(0, pos + 4);
      if (nameEnd < 0 || nameEnd >= seqEnd) throw fail('ProtocolError', 'unterminated document sequence identifier');
      const identifier = frame.toString('utf8', pos + 4, nameEnd);
      const docs: Doc[] = [];
      let p = nameEnd + 1;
      while (p < seqEnd) {
        const [doc, next] = readDocument(frame, p, seqEnd);
        docs.push(doc);
        p = next;
      }
      sequences.push([identifier, docs]);
      pos = seqEnd;
    } else {
      throw fail('ProtocolError', `unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw fail('ProtocolError', 'OP_MSG has no body section');
  for (const [identifier, docs] of sequences) {
    if (identifier in body) throw fail('ProtocolError', `duplicate field ${identifier} in OP_MSG body and document sequence`);
    body[identifier] = docs;
  }
  return { kind: 'msg', header, flagBits, command: body };
}

function decodeQuery(header: MessageHeader, frame: Buffer): WireRequest {
  let pos = HEADER_SIZE + 4; // flags
  const nameEnd = frame.indexOf(0, pos);
  if (nameEnd < 0) throw fail('ProtocolError', 'OP_QUERY collection name is not terminated');
  const collection = frame.toString('utf8', pos, nameEnd);
  pos = nameEnd + 1 + 8; // numberToSkip, numberToReturn
  const [query] = readDocument(frame, pos, frame.length);
  // Legacy drivers may wrap the command: { $query: {...}, $readPreference: ... }.
  const command = query.$query && typeof query.$query === 'object' ? (query.$query as Doc) : query;
  return { kind: 'query', header, collection, command };
}

function readDocument(buf: Buffer, pos: number, end: number): [Doc, number] {
  if (pos + 5 > end) throw fail('InvalidBSON', 'truncated BSON document');
  const size = buf.readInt32LE(pos);
  if (size < 5 || pos + size > end) throw fail('InvalidBSON', `BSON document size ${size} does not fit the message`);
  try {
    return [BSON.deserialize(buf.subarray(pos, pos + size), DESERIALIZE) as Doc, pos + size];
  } catch (err) {
    throw fail('InvalidBSON', `invalid BSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function header(length: number, requestID: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestID, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

export function serialize(doc: Doc): Buffer {
  return Buffer.from(BSON.serialize(doc as Document, { ignoreUndefined: true }));
}

/** An OP_MSG reply with a single body section. */
export function encodeMsgReply(requestID: number, responseTo: number, doc: Doc): Buffer {
  const body = serialize(doc);
  const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(HEADER_SIZE + 5 + body.length, requestID, responseTo, OpCode.MSG), prefix, body]);
}

/** An OP_REPLY (answer to a legacy OP_QUERY) carrying one document. */
export function encodeOpReply(requestID: number, responseTo: number, doc: Doc, responseFlags = 0): Buffer {
  const body = serialize(doc);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(responseFlags, 0);
  // cursorID (8 bytes) = 0, startingFrom = 0
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(HEADER_SIZE + 20 + body.length, requestID, responseTo, OpCode.REPLY), fields, body]);
}
