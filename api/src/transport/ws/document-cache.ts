import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

export type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/**
 * Parsed and validated documents by query text. Workers send the same few operations (startJob,
 * appendLogs, completeJob, heartbeat) thousands of times: parsing and validating each again
 * would be a visible share of the API's CPU. Bounded, least recently used out first; the result
 * depends only on the text, the schema and the rules, all fixed for the server's life.
 */
export class DocumentCache {
  private readonly entries = new Map<string, CheckedDocument>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly maxEntries = 500,
    /** longer texts are checked every time (one-off queries, not worth a slot) */
    private readonly maxQueryLength = 16 * 1024,
  ) {}

  get(query: string): CheckedDocument {
    const hit = this.entries.get(query);
    if (hit) {
      this.entries.delete(query);
      this.entries.set(query, hit);
      return hit;
    }
    const checked = this.check(query);
    if (query.length <= this.maxQueryLength) {
      this.entries.set(query, checked);
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return checked;
  }

  get size(): number {
    return this.entries.size;
  }

  private check(query: string): CheckedDocument {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      return { errors: [err instanceof GraphQLError ? err : new GraphQLError('invalid query')] };
    }
    const errors = validate(this.schema, document, this.rules);
    return errors.length > 0 ? { errors } : { document };
  }
}
