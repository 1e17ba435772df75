import type { Principal } from '../../auth/principal';

/**
 * How much one operation may ask of the server before any parsing, validation or execution is
 * spent on it. Every limit is checked by counting (bounded, linear), so a refusal costs less
 * than the smallest real operation. Signed-in callers get room for every document the web UI,
 * the worker and the introspection query send, with a wide margin; anonymous callers can only
 * log in, ask `me` and introspect (in development), and get much less.
 */
export interface OperationBudget {
  /** characters of the query text */
  maxQueryChars: number;
  /** lexical tokens of the query (graphql-js `maxTokens`) */
  maxTokens: number;
  /** fields, fragment spreads and inline fragments written in the document */
  maxSelections: number;
  /** fields after expanding every fragment spread: bounds validation, cost analysis and execution */
  maxExpandedFields: number;
  maxAliases: number;
  maxDirectives: number;
  maxFragments: number;
  /** nesting of objects and lists in the variables */
  maxVariableDepth: number;
  /** values (scalars, objects, lists) in the variables */
  maxVariableNodes: number;
  /** characters of all strings and keys in the variables; the HTTP body and WebSocket message limits bound signed-in callers */
  maxVariableChars: number;
  /** estimated cost (the lower of this and QUERY_MAX_COST applies) */
  maxCost: number;
}

export const SIGNED_IN_BUDGET: OperationBudget = {
  maxQueryChars: 100_000,
  maxTokens: 5_000,
  maxSelections: 500,
  maxExpandedFields: 5_000,
  maxAliases: 50,
  maxDirectives: 50,
  maxFragments: 50,
  maxVariableDepth: 10,
  maxVariableNodes: 20_000,
  maxVariableChars: Number.POSITIVE_INFINITY,
  maxCost: Number.POSITIVE_INFINITY,
};

export const ANONYMOUS_BUDGET: OperationBudget = {
  maxQueryChars: 8_000,
  maxTokens: 1_000,
  maxSelections: 150,
  maxExpandedFields: 1_000,
  maxAliases: 10,
  maxDirectives: 10,
  maxFragments: 10,
  maxVariableDepth: 4,
  maxVariableNodes: 50,
  maxVariableChars: 16 * 1024,
  maxCost: 1_000,
};

export function budgetFor(principal: Principal): OperationBudget {
  return principal.kind === 'anonymous' ? ANONYMOUS_BUDGET : SIGNED_IN_BUDGET;
}
