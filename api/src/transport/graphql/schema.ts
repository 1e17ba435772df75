import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { resolvers } from './resolvers';

let built: Promise<GraphQLSchema> | undefined;

/**
 * The schema, built once per process from the resolver and model classes. Subscriptions use
 * each context's own pub/sub (the `subscribe` option), not type-graphql's global `pubSub`, so
 * several API instances can share one process.
 */
export function buildApiSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, validate: false, pubSub: noGlobalPubSub });
  return built;
}

/** type-graphql insists on a pubSub when there are subscriptions; ours come from the context. */
const noGlobalPubSub = {
  publish(): void {
    throw new Error('publish through ctx.app.pubsub');
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error('@Subscription must use the `subscribe` option with ctx.app.pubsub.asyncIterator(...), not `topics`');
  },
};

export const SCHEMA_HEADER =
  '# Emitted from the api type-graphql classes by `npm run emit-schema -w api` — do not edit by hand.\n' +
  '# A test fails when this file differs from what the code emits.\n\n';

export function schemaSdl(schema: GraphQLSchema): string {
  return SCHEMA_HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}
