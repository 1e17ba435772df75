import { validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { knownShapeOverBudget, measureDocument, type DocumentShape } from '../graphql/document-limits';
import { LruMap } from '../../lru-map';
import type { OperationBudget } from '../graphql/operation-budget';

export type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

type Entry = { document: DocumentNode; shape: DocumentShape; errors?: undefined } | { document?: undefined; shape?: undefined; errors: readonly GraphQLError[] };

/**
 * Parsed and validated documents by query text. Workers send the same few operations (startJob,
 * appendLogs, completeJob, heartbeat) thousands of times: parsing and validating each again
 * would be a visible share of the API's CPU. Bounded, least recently used out first.
 *
 * Each caller's budget (operation-budget.ts) is applied on every get, before any parsing for a
 * new text and against the stored shape for a known one, so a document one caller may send is
 * still refused to a caller with a smaller budget. Only what depends on the text alone is
 * kept: parsed-and-validated documents and validation errors; a refusal over budget is not.
 */
export class DocumentCache {
  private readonly entries: LruMap<string, Entry>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    maxEntries = 500,
    /** longer texts are checked every time (one-off queries, not worth a slot) */
    private readonly maxQueryLength = 16 * 1024,
  ) {
    this.entries = new LruMap(maxEntries);
  }

  get(query: string, budget: OperationBudget): CheckedDocument {
    const hit = this.entries.get(query);
    if (hit) return this.within(query, hit, budget);
    const measured = measureDocument(query, budget);
    if (measured.error) return { errors: [measured.error] };
    const errors = validate(this.schema, measured.document, this.rules);
    const entry: Entry = errors.length > 0 ? { errors } : { document: measured.document, shape: measured.shape };
    if (query.length <= this.maxQueryLength) this.entries.set(query, entry);
    return entry.errors ? { errors: entry.errors } : { document: entry.document };
  }

  get size(): number {
    return this.entries.size;
  }

  private within(query: string, entry: Entry, budget: OperationBudget): CheckedDocument {
    if (entry.errors) return { errors: entry.errors };
    // The stored shape was measured under some budget; this caller's may be smaller.
    const error = knownShapeOverBudget(query, entry.shape, budget);
    return error ? { errors: [error] } : { document: entry.document };
  }
}
