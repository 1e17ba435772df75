import { pushJsonString, splicedJsonArray } from '@cmd-executor/json-text';
import {
  createSourceEventStream,
  execute,
  getNamedType,
  getOperationAST,
  isLeafType,
  isNonNullType,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * `subscribe` as graphql-js does it, except that a `jobLogs` event whose selection is plain
 * fields (the UI's, the CLI's, the agent-free clients') is turned into its result directly
 * instead of through `execute`: a log event can carry hundreds of chunks, and graphql-js
 * resolves, checks and completes every field of every chunk through its generic machinery
 * (with type-graphql's resolver wrappers), a visible share of the API's CPU per delivered line.
 * The result is the one `execute` gives: the same fields, keys and order, each leaf through its
 * type's `serialize`. An event the direct path cannot answer exactly (a missing value for a
 * non-null field, a value a scalar refuses) goes through `execute`, errors and all; any other
 * document always does.
 */
export async function subscribeWithDirectLogEvents(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const plan = planFor(args.schema, args.document, args.operationName);
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const viaExecute = (payload: unknown) => execute({ ...args, rootValue: payload }) as ExecutionResult | Promise<ExecutionResult>;
  return mapAsyncIterator(source, plan ? (payload) => plan(payload) ?? viaExecute(payload) : viaExecute);
}

/** Builds one event's result, or undefined when `execute` must. */
type Plan = (payload: unknown) => ExecutionResult | undefined;

/**
 * The result the direct path gives for one event of this operation: undefined when the
 * operation or the event goes through `execute` (exported for the tests that hold it to
 * `execute`'s answer).
 */
export function directLogEventResult(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, payload: unknown): ExecutionResult | undefined {
  return planFor(schema, document, operationName)?.(payload);
}

/** A leaf field: where its value comes from and how it is serialised. */
interface Leaf {
  key: string;
  name: string;
  type: GraphQLLeafType | undefined;
  nonNull: boolean;
  typename?: string;
}

/**
 * The fields read straight off the service's LogBatchView / LogChunkView (plain properties,
 * which type-graphql's field resolvers only return). A field added later (one with a resolver of
 * its own) is not here, and its documents go through `execute`.
 */
const BATCH_FIELDS = new Set(['jobId', 'chunks', '__typename']);
const CHUNK_FIELDS = new Set(['jobId', 'attempt', 'seq', 'stream', 'data', 'at', '__typename']);

const plans = new WeakMap<DocumentNode, Map<string, Plan | null>>();

function planFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Plan | null {
  const byName = plans.get(document) ?? new Map<string, Plan | null>();
  plans.set(document, byName);
  const key = operationName ?? '';
  if (!byName.has(key)) byName.set(key, buildPlan(schema, document, operationName));
  return byName.get(key) ?? null;
}

/**
 * A plan for `subscription { <key>: jobLogs(...) { jobId chunks { seq data … } __typename } }`
 * with plain fields only (no fragments, directives or repeated response keys); null otherwise.
 */
function buildPlan(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Plan | null {
  const op = getOperationAST(document, operationName);
  const subscriptionType = schema.getSubscriptionType();
  if (!op || op.operation !== 'subscription' || !subscriptionType || op.selectionSet.selections.length !== 1) return null;
  const root = op.selectionSet.selections[0];
  if (root.kind !== Kind.FIELD || root.name.value !== 'jobLogs' || root.directives?.length || !root.selectionSet) return null;
  const batchType = getNamedType(subscriptionType.getFields().jobLogs?.type) as GraphQLObjectType | undefined;
  const chunkType = getNamedType(batchType?.getFields().chunks?.type) as GraphQLObjectType | undefined;
  if (!batchType || !chunkType) return null;

  const batchFields = plainFields(root.selectionSet);
  if (!batchFields) return null;
  let chunkLeaves: Leaf[] | null = null;
  let chunksKey = '';
  const batchLeaves: Leaf[] = [];
  const order: string[] = [];
  for (const f of batchFields) {
    const key = f.alias?.value ?? f.name.value;
    order.push(key);
    if (f.name.value === 'chunks') {
      if (!f.selectionSet || chunkLeaves) return null;
      const fields = plainFields(f.selectionSet);
      chunkLeaves = fields && leaves(chunkType, fields, CHUNK_FIELDS);
      if (!chunkLeaves) return null;
      chunksKey = key;
    } else {
      if (f.selectionSet) return null;
      const leaf = leaves(batchType, [f], BATCH_FIELDS);
      if (!leaf) return null;
      batchLeaves.push(leaf[0]);
    }
  }
  const rootKey = root.alias?.value ?? 'jobLogs';

  // The event is the batch itself: the jobLogs resolver returns its root.
  return (payload) => {
    const batch = payload as Record<string, unknown> | null;
    if (!batch || typeof batch !== 'object') return undefined;
    const out: Record<string, unknown> = {};
    for (const key of order) {
      if (key === chunksKey) {
        const chunks = batch.chunks;
        if (!Array.isArray(chunks)) return undefined;
        // Each chunk's JSON on its own, spliced into the message's bytes (@cmd-executor/json-text).
        const pieces: string[][] = new Array(chunks.length);
        const o: Record<string, unknown> = {};
        for (let i = 0; i < chunks.length; i += 1) {
          const c = chunks[i] as Record<string, unknown> | null;
          if (!c || typeof c !== 'object') return undefined;
          for (const leaf of chunkLeaves as Leaf[]) if (!put(o, leaf, c)) return undefined;
          pieces[i] = objectJson(chunkLeaves as Leaf[], o);
        }
        out[key] = splicedJsonArray(pieces);
      } else {
        const leaf = batchLeaves.find((l) => l.key === key) as Leaf;
        if (!put(out, leaf, batch)) return undefined;
      }
    }
    return { data: { [rootKey]: out } };
  };
}

/** A string value from this length on is a part of its own. */
const LONG_TEXT = 1024;

/**
 * JSON.stringify of the object `leaves` put on `o`, in their order (each value is a leaf), as
 * parts written one after another: a string value's escaped text is a part of its own (see
 * pushJsonString), the short texts between are joined.
 */
function objectJson(leaves: Leaf[], o: Record<string, unknown>): string[] {
  const parts: string[] = [];
  let short = '{';
  for (let i = 0; i < leaves.length; i += 1) {
    const key = leaves[i].key;
    const value = o[key];
    short += `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`;
    if (typeof value !== 'string' || value.length < LONG_TEXT) {
      short += JSON.stringify(value);
      continue;
    }
    parts.push(short);
    pushJsonString(parts, value);
    short = '';
  }
  parts.push(`${short}}`);
  return parts;
}

/** The selection's fields when all are plain (no fragments, directives, arguments or repeats). */
function plainFields(set: SelectionSetNode): FieldNode[] | null {
  const keys = new Set<string>();
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind !== Kind.FIELD || s.directives?.length || s.arguments?.length) return null;
    const key = s.alias?.value ?? s.name.value;
    if (keys.has(key)) return null;
    keys.add(key);
    out.push(s);
  }
  return out;
}

function leaves(type: GraphQLObjectType, fields: FieldNode[], allowed: ReadonlySet<string>): Leaf[] | null {
  const out: Leaf[] = [];
  const defs = type.getFields();
  for (const f of fields) {
    const key = f.alias?.value ?? f.name.value;
    if (!allowed.has(f.name.value)) return null;
    if (f.name.value === '__typename') {
      out.push({ key, name: '__typename', type: undefined, nonNull: true, typename: type.name });
      continue;
    }
    const def = defs[f.name.value];
    if (!def || f.selectionSet) return null;
    const inner = isNonNullType(def.type) ? def.type.ofType : def.type;
    if (!isLeafType(inner)) return null;
    out.push({ key, name: f.name.value, type: inner, nonNull: isNonNullType(def.type) });
  }
  return out;
}

/** Sets the serialised leaf on `out`; false when `execute` would report an error for it. */
function put(out: Record<string, unknown>, leaf: Leaf, source: Record<string, unknown>): boolean {
  if (leaf.typename !== undefined) {
    out[leaf.key] = leaf.typename;
    return true;
  }
  const value = source[leaf.name];
  if (value === null || value === undefined) {
    if (leaf.nonNull) return false;
    out[leaf.key] = null;
    return true;
  }
  let serialized: unknown;
  try {
    serialized = (leaf.type as GraphQLLeafType).serialize(value);
  } catch {
    return false;
  }
  if (serialized === undefined) return false;
  out[leaf.key] = serialized;
  return true;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof (v as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

/** graphql-js's own mapping of a source stream to results (execution/mapAsyncIterator.js). */
function mapAsyncIterator<T, U>(iterable: AsyncIterable<T>, callback: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const iterator = iterable[Symbol.asyncIterator]();
  async function mapResult(result: IteratorResult<T>): Promise<IteratorResult<U>> {
    if (result.done) return result as IteratorResult<U>;
    try {
      return { value: await callback(result.value), done: false };
    } catch (error) {
      if (typeof iterator.return === 'function') {
        try {
          await iterator.return();
        } catch {
          // the callback's error is the one to report
        }
      }
      throw error;
    }
  }
  const mapped: AsyncIterableIterator<U> = {
    async next() {
      return mapResult(await iterator.next());
    },
    async return() {
      return typeof iterator.return === 'function' ? mapResult(await iterator.return()) : { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      if (typeof iterator.throw === 'function') return mapResult(await iterator.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}
