import type { Socket } from 'node:net';
import { fail, MongoCommandError } from '../errors';
import type { Doc } from '../storage/value.key';
import { FrameSplitter } from './frame.splitter';
import { decodeMessage, encodeMsgReply, encodeOpReply, MSG_FLAG_MORE_TO_COME, OpCode, readHeader } from './message.codec';

/** What a connection needs from the server: run a command (with journaling) and log. */
export interface CommandRunner {
  run(command: Doc, db: string, connectionId: number): Promise<Doc>;
  nextRequestId(): number;
  logger: { warn(msg: string, meta?: unknown): void; error(msg: string, meta?: unknown): void };
}

/** OP_REPLY responseFlags bit 1: QueryFailure. */
const QUERY_FAILURE = 2;

/**
 * One client connection: frames in, replies out, strictly in order. Bad input gets a MongoDB
 * error reply; only an impossible length prefix (the stream cannot be resynchronised) closes it.
 */
export class ConnectionHandler {
  private readonly splitter = new FrameSplitter();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly connectionId: number,
    private readonly runner: CommandRunner,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (err) {
        // Framing bugs must cost one connection, never the process.
        this.runner.logger.error('mongo-wire: connection failed', err);
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => (this.closed = true));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.splitter.push(chunk);
    for (;;) {
      const next = this.splitter.next();
      if (next === null) return;
      if (next.kind === 'bad-length') {
        this.closed = true;
        const reply = fail('ProtocolError', `invalid message length ${next.messageLength}`).toReply();
        this.chain = this.chain.then(() => {
          this.reply(next.requestID, reply, false);
          this.socket.end();
        });
        return;
      }
      const frame = next.frame;
      this.chain = this.chain.then(() => this.handle(frame)).catch((err) => this.runner.logger.error('mongo-wire: request failed', err));
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    const header = readHeader(frame);
    const legacy = header.opCode === OpCode.QUERY;
    let request;
    try {
      request = decodeMessage(frame);
    } catch (err) {
      this.reply(header.requestID, toReply(err), legacy, QUERY_FAILURE);
      return;
    }
    switch (request.kind) {
      case 'unsupported':
        this.reply(header.requestID, fail('ProtocolError', `unsupported opcode ${header.opCode}`).toReply(), false);
        return;
      case 'query': {
        if (!request.collection.endsWith('.$cmd')) {
          const reply = { $err: 'legacy OP_QUERY is only supported for commands', code: 5739101, ok: 0 };
          this.reply(header.requestID, reply, true, QUERY_FAILURE);
          return;
        }
        const db = request.collection.slice(0, -'.$cmd'.length);
        this.reply(header.requestID, await this.runner.run(request.command, db, this.connectionId), true);
        return;
      }
      case 'msg': {
        const db = request.command.$db;
        const reply =
          typeof db === 'string' && db.length > 0
            ? await this.runner.run(request.command, db, this.connectionId)
            : fail('BadValue', 'OP_MSG requests require a $db argument').toReply();
        if (!(request.flagBits & MSG_FLAG_MORE_TO_COME)) this.reply(header.requestID, reply, false);
        return;
      }
    }
  }

  /** Sends a reply; one that cannot be encoded (too large, unserialisable) becomes an error reply. */
  private reply(responseTo: number, doc: Doc, legacy: boolean, failureFlags = 0): void {
    const requestID = this.runner.nextRequestId();
    let buf: Buffer;
    try {
      buf = legacy ? encodeOpReply(requestID, responseTo, doc, doc.ok === 0 ? failureFlags : 0) : encodeMsgReply(requestID, responseTo, doc);
    } catch (err) {
      this.runner.logger.warn('mongo-wire: reply could not be encoded', err);
      const error = fail('InternalError', `reply could not be encoded: ${err instanceof Error ? err.message : String(err)}`).toReply();
      buf = legacy ? encodeOpReply(requestID, responseTo, error, failureFlags) : encodeMsgReply(requestID, responseTo, error);
    }
    if (!this.socket.destroyed) this.socket.write(buf);
  }
}

function toReply(err: unknown): Doc {
  if (err instanceof MongoCommandError) return err.toReply();
  return fail('InternalError', err instanceof Error ? err.message : String(err)).toReply();
}
