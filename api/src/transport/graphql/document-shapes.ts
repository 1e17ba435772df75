import type { GraphQLError } from 'graphql';
import { knownShapeOverBudget, measureDocument, type DocumentShape } from './document-limits';
import { LruMap } from '../../lru-map';
import type { OperationBudget } from './operation-budget';

/**
 * The budget check of documents by their text, each text lexed, parsed and counted once: HTTP
 * clients send the same few operations (createJob, jobs, job) over and over, and measuring each
 * again was a visible share of a request's CPU. What is kept is the shape of a text that was
 * within the budget of the caller who sent it; each caller's own budget is applied on every
 * check (a document one caller may send is still refused to one with a smaller budget).
 * Refusals are not kept. Bounded, least recently used out first.
 */
export class DocumentShapes {
  private readonly shapes: LruMap<string, DocumentShape>;

  constructor(
    maxEntries = 500,
    /** longer texts are measured every time (one-off queries, not worth a slot) */
    private readonly maxQueryLength = 16 * 1024,
  ) {
    this.shapes = new LruMap(maxEntries);
  }

  /** The first limit of `budget` that `query` exceeds, as the error to answer; undefined within it. */
  overBudget(query: string, budget: OperationBudget): GraphQLError | undefined {
    const known = this.shapes.get(query);
    if (known) return knownShapeOverBudget(query, known, budget);
    const measured = measureDocument(query, budget);
    if (measured.error) return measured.error;
    if (query.length <= this.maxQueryLength) this.shapes.set(query, measured.shape);
    return undefined;
  }

  get size(): number {
    return this.shapes.size;
  }
}
