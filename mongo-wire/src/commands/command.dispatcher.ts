import { fail, MongoCommandError } from '../errors';
import { toMongoError } from '../query/mingo.adapter';
import type { Doc } from '../storage/value.key';
import * as admin from './admin.commands';
import type { CommandContext, CommandHandler } from './command.context';
import * as ddl from './ddl.commands';
import * as read from './read.commands';
import * as write from './write.commands';

const HANDLERS: Record<string, CommandHandler> = {
  hello: admin.hello,
  ismaster: admin.hello,
  isMaster: admin.hello,
  ping: admin.ping,
  buildInfo: admin.buildInfo,
  buildinfo: admin.buildInfo,
  endSessions: admin.endSessions,
  listDatabases: ddl.listDatabases,
  dropDatabase: ddl.dropDatabase,
  create: ddl.create,
  drop: ddl.drop,
  listCollections: ddl.listCollections,
  createIndexes: ddl.createIndexes,
  listIndexes: ddl.listIndexes,
  dropIndexes: ddl.dropIndexes,
  deleteIndexes: ddl.dropIndexes,
  insert: write.insert,
  update: write.update,
  delete: write.deleteCommand,
  findAndModify: write.findAndModify,
  findandmodify: write.findAndModify,
  find: read.find,
  getMore: read.getMore,
  killCursors: read.killCursors,
  aggregate: read.aggregate,
  count: read.count,
  distinct: read.distinct,
};

const TRANSACTION_COMMANDS = new Set(['commitTransaction', 'abortTransaction']);

/** The name of a command document: its first key. */
export function commandName(cmd: Doc): string | undefined {
  return Object.keys(cmd)[0];
}

/**
 * Runs one command and always returns a reply document: failures become `{ok: 0, ...}`,
 * whatever threw. `lsid`, `$db`, `$readPreference`, `writeConcern`, `readConcern`, `comment`
 * and `maxTimeMS` are accepted and ignored.
 */
export function dispatchCommand(cmd: Doc, ctx: CommandContext): Doc {
  try {
    const name = commandName(cmd);
    if (name === undefined) throw fail('FailedToParse', 'empty command document');
    if (TRANSACTION_COMMANDS.has(name) || cmd.startTransaction === true || cmd.autocommit === false || cmd.txnNumber !== undefined) {
      throw fail('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const handler = Object.prototype.hasOwnProperty.call(HANDLERS, name) ? HANDLERS[name] : undefined;
    if (!handler) throw fail('CommandNotFound', `no such command: '${name}'`);
    return handler(cmd, ctx);
  } catch (err) {
    const e = err instanceof MongoCommandError ? err : toMongoError(err);
    return e.toReply();
  }
}
