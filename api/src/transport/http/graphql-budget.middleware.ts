import type { NextFunction, Request, Response } from 'express';
import { DocumentShapes } from '../graphql/document-shapes';
import { formatError } from '../graphql/format-error';
import { budgetFor } from '../graphql/operation-budget';
import type { Principal } from '../../auth/principal';
import { checkVariables } from '../graphql/variable-limits';

/**
 * The caller's document and variable budget (operation-budget.ts), before Apollo parses or
 * validates anything: over it, the answer is 400 with QUERY_TOO_COMPLEX or BAD_USER_INPUT.
 * Runs after authentication (the budget depends on who calls). A request that is not a single
 * GraphQL request (no `query` string, a batch, unparseable GET variables) is Apollo's to refuse.
 */
export function graphqlBudget(): (req: Request, res: Response, next: NextFunction) => void {
  const shapes = new DocumentShapes();
  return (req, res, next) => {
    const principal: Principal = (res.locals as { principal?: Principal }).principal ?? { kind: 'anonymous' };
    const { query, variables } = requestFields(req);
    if (typeof query !== 'string') return next();
    const budget = budgetFor(principal);
    const error = checkVariables(variables, budget) ?? shapes.overBudget(query, budget);
    if (!error) return next();
    res.status(400).json({ errors: [formatError(error.toJSON(), error)] });
  };
}

function requestFields(req: Request): { query?: unknown; variables?: unknown } {
  if (req.method === 'GET') {
    const q = req.query as Record<string, unknown>;
    let variables: unknown;
    if (typeof q.variables === 'string') {
      try {
        variables = JSON.parse(q.variables);
      } catch {
        variables = undefined;
      }
    }
    return { query: q.query, variables };
  }
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  return body as { query?: unknown; variables?: unknown };
}
