import type { InProcessStore } from '@cmd-executor/mongo-wire';
import mongoose from 'mongoose';

type Doc = Record<string, unknown>;

/**
 * The driver's collection methods that the hot paths call (claims, starts, completions, log
 * chunks, heartbeats), as one interface: the driver's collection has them, and so does the
 * in-process collection below. Only the options those paths pass are covered.
 */
export interface HotCollection {
  findOneAndUpdate(filter: Doc, update: Doc, options: { returnDocument: 'after'; sort?: Doc; projection?: Doc }): Promise<Doc | null>;
  insertOne(doc: Doc): Promise<unknown>;
  insertMany(docs: Doc[], options: { ordered: boolean }): Promise<unknown>;
  bulkWrite(ops: Array<{ updateOne: { filter: Doc; update: Doc } }>, options: { ordered: boolean }): Promise<{ matchedCount: number }>;
  updateOne(filter: Doc, update: Doc): Promise<{ matchedCount: number; modifiedCount: number }>;
  updateMany(filter: Doc, update: Doc): Promise<{ matchedCount: number; modifiedCount: number }>;
  find(filter: Doc, options?: { sort?: Doc; limit?: number; projection?: Doc }): { toArray(): Promise<Doc[]> };
}

/**
 * A collection of the embedded store running in this process, reached without the wire
 * (`@cmd-executor/mongo-wire`'s InProcessStore): the commands the driver would send for these
 * calls, and their replies read as the driver reads them: the same results, and the same
 * MongoServerError (code, writeErrors) where the driver would throw one.
 */
export function inProcessCollection(store: InProcessStore, db: string, name: string): HotCollection {
  const run = async (command: Doc): Promise<Doc> => {
    const reply = await store.command(db, command);
    if (reply.ok !== 1) throw new mongoose.mongo.MongoServerError(reply);
    return reply;
  };
  /**
   * A write command's reply, thrown as the driver throws it when a statement failed: a single
   * write, that statement's error; a bulk one, an error with the first one's code and the list.
   */
  const write = async (command: Doc, bulk: boolean): Promise<Doc> => {
    const reply = await run(command);
    const errors = reply.writeErrors as Doc[] | undefined;
    if (errors && errors.length > 0) {
      throw new mongoose.mongo.MongoServerError(bulk ? { errmsg: errors[0].errmsg, code: errors[0].code, writeErrors: errors } : errors[0]);
    }
    return reply;
  };
  const withIds = (docs: Doc[]): Doc[] => {
    for (const doc of docs) if (doc._id == null) doc._id = new mongoose.Types.ObjectId();
    return docs;
  };
  const counts = (reply: Doc): { matchedCount: number; modifiedCount: number } => {
    const upserted = Array.isArray(reply.upserted) ? reply.upserted.length : 0;
    return { matchedCount: Number(reply.n ?? 0) - upserted, modifiedCount: Number(reply.nModified ?? reply.n ?? 0) };
  };
  /** updateOne / updateMany: one update statement, answered as the driver answers them. */
  const updateStatement = async (filter: Doc, update: Doc, multi: boolean) => {
    const { matchedCount, modifiedCount } = counts(await write({ update: name, updates: [{ q: filter, u: update, multi }], ordered: true }, false));
    return { acknowledged: true, modifiedCount, upsertedId: null, upsertedCount: 0, matchedCount };
  };

  return {
    async findOneAndUpdate(filter, update, options) {
      const reply = await run({
        findAndModify: name,
        query: filter,
        update,
        new: options.returnDocument === 'after',
        ...(options.sort ? { sort: options.sort } : {}),
        ...(options.projection ? { fields: options.projection } : {}),
      });
      return (reply.value as Doc | null | undefined) ?? null;
    },
    async insertOne(doc) {
      await write({ insert: name, documents: withIds([doc]), ordered: true }, false);
      return { acknowledged: true, insertedId: doc._id };
    },
    async insertMany(docs, options) {
      const reply = await write({ insert: name, documents: withIds(docs), ordered: options.ordered }, true);
      return { acknowledged: true, insertedCount: Number(reply.n ?? 0), insertedIds: Object.fromEntries(docs.map((d, i) => [i, d._id])) };
    },
    async bulkWrite(ops, options) {
      const updates = ops.map((op) => ({ q: op.updateOne.filter, u: op.updateOne.update }));
      const reply = await write({ update: name, updates, ordered: options.ordered }, true);
      return { insertedCount: 0, ...counts(reply), deletedCount: 0, upsertedCount: 0, upsertedIds: {}, insertedIds: {} };
    },
    updateOne: (filter, update) => updateStatement(filter, update, false),
    updateMany: (filter, update) => updateStatement(filter, update, true),
    find(filter, options = {}) {
      return {
        toArray: async () => {
          const first = await run({
            find: name,
            filter,
            ...(options.sort ? { sort: options.sort } : {}),
            ...(options.limit ? { limit: options.limit } : {}),
            ...(options.projection ? { projection: options.projection } : {}),
          });
          let cursor = first.cursor as { firstBatch?: Doc[]; nextBatch?: Doc[]; id: unknown };
          const docs = [...(cursor.firstBatch ?? [])];
          while (cursor.id !== 0 && cursor.id != null) {
            const more = await run({ getMore: cursor.id, collection: name });
            cursor = more.cursor as typeof cursor;
            docs.push(...(cursor.nextBatch ?? []));
          }
          return docs;
        },
      };
    },
  };
}
