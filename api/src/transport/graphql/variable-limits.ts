import type { GraphQLError } from 'graphql';
import { badVariable, nameLabel } from './limit-errors';
import type { OperationBudget } from './operation-budget';

/**
 * Refuses variables nested deeper, holding more values or more characters than the budget,
 * before anything coerces them (graphql-js and the cost analysis recurse through them). The
 * walk is iterative and stops at the first limit crossed, so its cost is bounded by the budget,
 * not by what was sent.
 */
export function checkVariables(variables: unknown, budget: OperationBudget): GraphQLError | undefined {
  if (variables === null || variables === undefined || typeof variables !== 'object' || Array.isArray(variables)) return undefined;
  let nodes = 0;
  let chars = 0;
  const stack: Array<{ value: unknown; depth: number; root: string }> = [];
  // Counted when queued, so a huge list is refused before it is walked.
  const add = (value: unknown, depth: number, root: string, key?: string): GraphQLError | undefined => {
    nodes += 1;
    chars += (key?.length ?? 0) + (typeof value === 'string' ? value.length : 0);
    const label = nameLabel(root);
    if (nodes > budget.maxVariableNodes) return badVariable(`variables hold more than ${budget.maxVariableNodes} values, the limit`, label);
    if (chars > budget.maxVariableChars) return badVariable(`variables hold more than ${budget.maxVariableChars} characters, the limit`, label);
    if (value !== null && typeof value === 'object') {
      if (depth > budget.maxVariableDepth) {
        return badVariable(`Variable "$${label}" is nested deeper than ${budget.maxVariableDepth} levels, the limit`, label);
      }
      stack.push({ value, depth, root });
    }
    return undefined;
  };
  for (const name in variables) {
    const error = add((variables as Record<string, unknown>)[name], 1, name, name);
    if (error) return error;
  }
  while (stack.length > 0) {
    const { value, depth, root } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) {
        const error = add(item, depth + 1, root);
        if (error) return error;
      }
    } else {
      for (const key in value as Record<string, unknown>) {
        const error = add((value as Record<string, unknown>)[key], depth + 1, root, key);
        if (error) return error;
      }
    }
  }
  return undefined;
}
