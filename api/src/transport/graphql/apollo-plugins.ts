import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { AppConfig } from '../../config';
import type { GraphQLContext } from './context';
import { classifyError } from './format-error';
import { nameLabel, operationNotFound } from './limit-errors';
import { budgetFor } from './operation-budget';
import { costCheck } from './query-limits';
import { requestMeta } from './request-meta';
import { variableErrors } from './variable-coercion';

/**
 * Variables and cost once the operation is known (the document and variable budget ran
 * before Apollo: graphql-budget.middleware.ts), operation facts for the log, internal errors
 * logged with the request id, and HTTP 429 for RATE_LIMITED.
 */
export function apiPlugin(schema: GraphQLSchema, config: AppConfig): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, contextValue, operation }) {
          const meta = requestMeta(contextValue);
          meta.operationName = operation?.name?.value ?? (request.operationName ? nameLabel(request.operationName) : undefined);
          meta.operationType = operation?.operation;
          // Apollo would quote any operationName back.
          if (!operation) throw operationNotFound(request.operationName);
          const [badVariable] = variableErrors(schema, document, request.operationName, request.variables);
          if (badVariable) throw badVariable;
          const maxCost = Math.min(config.graphql.maxCost, budgetFor(contextValue.principal).maxCost);
          const tooCostly = costCheck(schema, document, request.variables, request.operationName, maxCost);
          if (tooCostly) throw tooCostly;
        },
        async didEncounterErrors({ errors, contextValue }) {
          const meta = requestMeta(contextValue);
          for (const err of errors) {
            const kind = classifyError(err);
            meta.errorCodes.push(kind.code);
            if (kind.internal) {
              // The error only: never the request's variables, which may hold secrets.
              contextValue.app.logger.error({ err: kind.original, requestId: contextValue.requestId, path: err.path }, 'internal error');
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          for (const e of response.body.singleResult.errors ?? []) {
            // The client quotes this id when reporting the failure; the log line above carries the detail.
            if (e.extensions?.code === 'INTERNAL_SERVER_ERROR') {
              (e as { extensions: Record<string, unknown> }).extensions = { ...e.extensions, requestId: contextValue.requestId };
            }
            // Over a budget (login attempts, say) the HTTP answer is 429, as for the per-request limit.
            if (e.extensions?.code === 'RATE_LIMITED' && response.http.status === undefined) {
              response.http.status = 429;
              response.http.headers.set('retry-after', String(e.extensions.retryAfter ?? 1));
            }
          }
        },
      };
    },
  };
}
