import {
  BREAK,
  GraphQLError,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { queryTooComplex } from './limit-errors';

/**
 * Refuses operations nested deeper than `maxDepth` fields, following fragments. Introspection
 * (`__schema`, `__type`) is not counted: its standard query is 15 deep, it is bounded by the
 * schema's size, and it is switched off in production anyway. Each fragment's depth is
 * computed once: fragments that spread the next one many times would otherwise be walked an
 * exponential number of times.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const fragmentDepths = new Map<string, number>();
    const depthOf = (set: SelectionSetNode | undefined): number => {
      if (!set) return 0;
      let max = 0;
      for (const sel of set.selections) {
        let d = 0;
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          d = sel.selectionSet ? 1 + depthOf(sel.selectionSet) : 1;
        }
        else if (sel.kind === Kind.INLINE_FRAGMENT) d = depthOf(sel.selectionSet);
        else if (sel.kind === Kind.FRAGMENT_SPREAD) {
          const name = sel.name.value;
          let known = fragmentDepths.get(name);
          if (known === undefined) {
            // A fragment cycle is reported by graphql's own NoFragmentCycles rule: it counts 0 here.
            fragmentDepths.set(name, 0);
            known = depthOf(fragments.get(name)?.selectionSet);
            fragmentDepths.set(name, known);
          }
          d = known;
        }
        max = Math.max(max, d);
        if (max > maxDepth) return max;
      }
      return max;
    };
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const depth = depthOf(node.selectionSet);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`query depth ${depth} exceeds the limit of ${maxDepth}`, {
              nodes: [node],
              extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: maxDepth },
            }),
          );
        }
      },
    };
  };
}

/**
 * Estimated cost of one operation: 1 per field, list fields multiplied by their page size
 * (field `complexity` options, e.g. `jobs(first)`), checked once variables are known.
 * Call it only with variables that coerce (variable-coercion.ts) and an operation that exists:
 * the library throws on anything else.
 *
 * Most operations' cost cannot depend on their variables (no variable reaches a `complexity`
 * function or an `@include`/`@skip`): theirs is kept with the parsed document, which the
 * document caches hand out again. Workers send the same appendLogs document hundreds of times
 * a second, and the analysis (which also coerces every variable, log text included) was a
 * visible share of the API's CPU.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined | null,
  operationName: string | undefined | null,
): number {
  const key = operationName ?? '';
  const known = staticCosts.get(document)?.get(key);
  if (known !== undefined) return known;
  const cost = getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  if (costIgnoresVariables(schema, document)) {
    const byName = staticCosts.get(document) ?? new Map<string, number>();
    byName.set(key, cost);
    staticCosts.set(document, byName);
  }
  return cost;
}

const staticCosts = new WeakMap<DocumentNode, Map<string, number>>();

/**
 * True when no variable in the document can change its cost: none is an argument of a field
 * whose `complexity` is a function, nor of a directive (`@include(if: $x)` decides whether a
 * field counts).
 */
function costIgnoresVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  const usesVariable = (node: ASTNode): boolean => {
    let found = false;
    visit(node, {
      Variable() {
        found = true;
        return BREAK;
      },
    });
    return found;
  };
  let ignores = true;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Directive(node) {
        if ((node.arguments ?? []).some(usesVariable)) {
          ignores = false;
          return BREAK;
        }
        return undefined;
      },
      Field(node) {
        const complexity = typeInfo.getFieldDef()?.extensions?.complexity;
        if (typeof complexity === 'function' && (node.arguments ?? []).some(usesVariable)) {
          ignores = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return ignores;
}

/**
 * The cost refusal for an operation over `max`, or undefined. The operation must exist and
 * its variables must coerce; a GraphQLError the analysis still raises is about the request and
 * is answered as QUERY_TOO_COMPLEX too (never a 500).
 */
export function costCheck(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined | null,
  operationName: string | undefined | null,
  max: number,
): GraphQLError | undefined {
  let cost: number;
  try {
    cost = operationCost(schema, document, variables, operationName);
  } catch (err) {
    if (err instanceof GraphQLError) return queryTooComplex('query cost cannot be estimated', 'cost', max);
    throw err;
  }
  return cost > max ? costError(cost, max) : undefined;
}

export function costError(cost: number, max: number): GraphQLError {
  return queryTooComplex(`query cost ${cost} exceeds the limit of ${max}`, 'cost', max);
}
