import {
  GraphQLError,
  Kind,
  Lexer,
  parse,
  Source,
  TokenKind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { parseFailed, queryTooComplex } from './limit-errors';
import type { OperationBudget } from './operation-budget';

/** What a document asks for, counted once after parsing. */
export interface DocumentShape {
  tokens: number;
  selections: number;
  /** fields with every fragment spread expanded (each fragment counted once per spread) */
  expandedFields: number;
  aliases: number;
  directives: number;
  fragments: number;
}

export type MeasuredDocument =
  | { document: DocumentNode; shape: DocumentShape; error?: undefined }
  | { error: GraphQLError; document?: undefined; shape?: undefined };

/**
 * Parses `query` only as far as the budget allows and measures it. The text length is checked
 * first, then tokens are counted with the lexer alone (stopping one past the limit), then the
 * parser runs with the same `maxTokens`, then the parsed document is counted. Validation, cost
 * analysis and execution come after this and never see a document that is over budget: a
 * document of 200,000 aliases costs a length check, not seconds of validation.
 */
export function measureDocument(query: string, budget: OperationBudget): MeasuredDocument {
  if (query.length > budget.maxQueryChars) {
    return { error: queryTooComplex(`query has ${query.length} characters; the limit is ${budget.maxQueryChars}`, 'queryChars', budget.maxQueryChars) };
  }
  let tokens: number;
  let document: DocumentNode;
  try {
    tokens = countTokens(query, budget.maxTokens + 1);
    if (tokens > budget.maxTokens) {
      return { error: queryTooComplex(`query has more than ${budget.maxTokens} tokens, the limit`, 'tokens', budget.maxTokens) };
    }
    document = parse(query, { maxTokens: budget.maxTokens });
  } catch (err) {
    return { error: parseFailed(err instanceof GraphQLError ? err.message : 'Syntax Error: invalid document') };
  }
  const shape = shapeOf(document, tokens);
  const error = overBudget(shape, budget);
  return error ? { error } : { document, shape };
}

/**
 * The budget check of a document measured before, perhaps under another caller's budget: a
 * text longer than this caller may send gets the length refusal (measureDocument's first
 * check, which the shape does not record); any other is checked against its stored shape.
 */
export function knownShapeOverBudget(query: string, shape: DocumentShape, budget: OperationBudget): GraphQLError | undefined {
  return query.length > budget.maxQueryChars ? measureDocument(query, budget).error : overBudget(shape, budget);
}

/** The first limit `shape` exceeds, as the error a client gets. */
export function overBudget(shape: DocumentShape, budget: OperationBudget): GraphQLError | undefined {
  const checks: Array<[keyof DocumentShape, number, string]> = [
    ['tokens', budget.maxTokens, 'tokens'],
    ['selections', budget.maxSelections, 'selections'],
    ['aliases', budget.maxAliases, 'aliases'],
    ['directives', budget.maxDirectives, 'directives'],
    ['fragments', budget.maxFragments, 'fragment definitions'],
    ['expandedFields', budget.maxExpandedFields, 'fields once fragments are expanded'],
  ];
  for (const [key, max, what] of checks) {
    const n = shape[key];
    if (n > max) {
      const count = Number.isFinite(n) && n < 1e15 ? String(n) : 'too many';
      return queryTooComplex(`query has ${count} ${what}; the limit is ${max}`, key, max);
    }
  }
  return undefined;
}

/** Lexical tokens of `query`, counting no further than `stopAt`; throws graphql's syntax errors. */
function countTokens(query: string, stopAt: number): number {
  const lexer = new Lexer(new Source(query));
  let n = 0;
  while (n < stopAt && lexer.advance().kind !== TokenKind.EOF) n += 1;
  return n;
}

function shapeOf(document: DocumentNode, tokens: number): DocumentShape {
  const shape: DocumentShape = { tokens, selections: 0, expandedFields: 0, aliases: 0, directives: 0, fragments: 0 };
  const fragments = new Map<string, FragmentDefinitionNode>();
  visit(document, {
    Field(node) {
      shape.selections += 1;
      if (node.alias) shape.aliases += 1;
    },
    FragmentSpread() {
      shape.selections += 1;
    },
    InlineFragment() {
      shape.selections += 1;
    },
    Directive() {
      shape.directives += 1;
    },
    FragmentDefinition(node) {
      shape.fragments += 1;
      fragments.set(node.name.value, node);
    },
  });
  shape.expandedFields = expandedFields(document, fragments);
  return shape;
}

/**
 * Fields of every operation with fragments expanded, each fragment's size computed once: a
 * chain of fragments that each spread the next many times is exponential in fields but linear
 * here. Unknown fragments and cycles count 0 (validation rejects both).
 */
function expandedFields(document: DocumentNode, fragments: Map<string, FragmentDefinitionNode>): number {
  const sizes = new Map<string, number>();
  const sizeOf = (set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) total += 1 + sizeOf(sel.selectionSet);
      else if (sel.kind === Kind.INLINE_FRAGMENT) total += sizeOf(sel.selectionSet);
      else {
        const name = sel.name.value;
        let size = sizes.get(name);
        if (size === undefined) {
          sizes.set(name, 0); // in progress: a cycle counts 0
          size = sizeOf(fragments.get(name)?.selectionSet);
          sizes.set(name, size);
        }
        total += size;
      }
    }
    return total;
  };
  let total = 0;
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) total += sizeOf(def.selectionSet);
  }
  return total;
}
