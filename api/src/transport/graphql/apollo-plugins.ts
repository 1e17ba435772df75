import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { AppConfig } from '../../config';
import type { GraphQLContext } from './context';
import { classifyError } from './format-error';
import { costError, operationCost } from './query-limits';
import { requestMeta } from './request-meta';

/** Cost limit (needs variables, so it runs after validation), operation facts for the log, internal errors logged with the request id. */
export function apiPlugin(schema: GraphQLSchema, config: AppConfig): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, contextValue, operation }) {
          const meta = requestMeta(contextValue);
          meta.operationName = request.operationName ?? operation?.name?.value;
          meta.operationType = operation?.operation;
          const cost = operationCost(schema, document, request.variables, request.operationName);
          if (cost > config.graphql.maxCost) throw costError(cost, config.graphql.maxCost);
        },
        async didEncounterErrors({ errors, contextValue }) {
          const meta = requestMeta(contextValue);
          for (const err of errors) {
            const kind = classifyError(err);
            meta.errorCodes.push(kind.code);
            if (kind.internal) {
              contextValue.app.logger.error({ err: kind.original, requestId: contextValue.requestId, path: err.path }, 'internal error');
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          // The client quotes this id when reporting the failure; the log line above carries the detail.
          if (response.body.kind !== 'single') return;
          for (const e of response.body.singleResult.errors ?? []) {
            if (e.extensions?.code === 'INTERNAL_SERVER_ERROR') {
              (e as { extensions: Record<string, unknown> }).extensions = { ...e.extensions, requestId: contextValue.requestId };
            }
          }
        },
      };
    },
  };
}
