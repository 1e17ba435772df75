import { fail } from '../errors';
import type { Catalog } from '../storage/catalog.store';
import type { CollectionStore } from '../storage/collection.store';
import type { Doc } from '../storage/value.key';
import type { WriteEffect } from '../storage/write.effect';
import type { CursorRegistry } from './cursor.registry';

/** What a command handler sees: the catalog, cursors, and where to record its writes. */
export interface CommandContext {
  readonly catalog: Catalog;
  readonly cursors: CursorRegistry;
  /** Database the command runs in (`$db`). */
  readonly db: string;
  readonly connectionId: number;
  /** Effects to journal before the reply goes out. */
  readonly effects: WriteEffect[];
}

export type CommandHandler = (cmd: Doc, ctx: CommandContext) => Doc;

/** The collection name a command names in its first field, validated. */
export function collectionName(cmd: Doc, field: string): string {
  const name = cmd[field];
  if (typeof name !== 'string' || name.length === 0) {
    throw fail('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  }
  if (name.includes('\0') || name.startsWith('.') || name.includes('$')) throw fail('InvalidNamespace', `Invalid collection name: ${name}`);
  return name;
}

/** Creates the collection on first write, recording the creation. */
export function collectionForWrite(ctx: CommandContext, name: string): CollectionStore {
  const { coll, created } = ctx.catalog.ensure(ctx.db, name);
  if (created) ctx.effects.push({ op: 'createColl', db: ctx.db, c: name, options: {} });
  return coll;
}

export function optionalNumber(cmd: Doc, field: string): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) throw fail('TypeMismatch', `'${field}' must be a number`);
  return v;
}

export function optionalDoc(cmd: Doc, field: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw fail('TypeMismatch', `'${field}' must be an object`);
  return v as Doc;
}
