import { Types } from 'mongoose';
import type { Filter, Update } from '../../domain/job-state-machine';

/**
 * The state machine's filters and updates made ready for the MongoDB driver, as mongoose would
 * cast them for the jobs collection: ids held as strings become ObjectIds, and every update
 * stamps `updatedAt` (the schema's timestamps). The hot-path writes (claims, starts,
 * completions and their read-backs) go to the driver directly because mongoose's casting and
 * query building cost more than the store's own work for each of them.
 *
 * Only what the state machine writes is covered: the id fields below, anywhere in a filter or
 * update (inside `$in`, `$ne`, `$set`, a `$push`ed attempt record). Every other value it uses is
 * already the stored type (strings, numbers, Dates, null).
 */
const ID_FIELDS = new Set(['_id', 'workerId', 'createdById']);

export function castJobFilter(filter: Filter): Record<string, unknown> {
  return castFields(filter);
}

export function castJobUpdate(update: Update, now = new Date()): Record<string, unknown> {
  const out = castFields(update);
  const set = (out.$set ?? {}) as Record<string, unknown>;
  if (!('updatedAt' in set)) out.$set = { ...set, updatedAt: now };
  return out;
}

function castFields(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (ID_FIELDS.has(key)) out[key] = castId(value);
    else if (key.startsWith('$') && isPlainObject(value)) out[key] = castFields(value);
    else if (key.startsWith('$') && Array.isArray(value)) out[key] = value.map((v) => (isPlainObject(v) ? castFields(v) : v));
    else if (isPlainObject(value) && Object.keys(value).some((k) => ID_FIELDS.has(k))) out[key] = castFields(value);
    else out[key] = value;
  }
  return out;
}

/** An id, or an operator over ids (`{$in: [...]}`, `{$ne: id}`), with hex strings as ObjectIds. */
function castId(value: unknown): unknown {
  if (typeof value === 'string') return Types.ObjectId.isValid(value) && value.length === 24 ? new Types.ObjectId(value) : value;
  if (Array.isArray(value)) return value.map(castId);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [op, arg] of Object.entries(value)) out[op] = op.startsWith('$') ? castId(arg) : arg;
    return out;
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}
