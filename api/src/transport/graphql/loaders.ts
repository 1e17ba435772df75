import DataLoader from 'dataloader';
import type { UserDoc, WorkerDoc } from '../../storage/repositories/documents';
import type { GraphQLContext } from './context';

interface Loaders {
  users: DataLoader<string, UserDoc | null>;
  workers: DataLoader<string, WorkerDoc | null>;
}

const perContext = new WeakMap<GraphQLContext, Loaders>();

/** Batches `createdBy` / `worker` lookups of one operation (a page of jobs is two queries, not 2×N). */
export function loaders(ctx: GraphQLContext): Loaders {
  let l = perContext.get(ctx);
  if (!l) {
    const { users, workers } = ctx.app.services;
    l = {
      users: new DataLoader(async (ids) => byId(ids, await users.findByIds(ids))),
      workers: new DataLoader(async (ids) => byId(ids, await workers.findByIds(ids))),
    };
    perContext.set(ctx, l);
  }
  return l;
}

function byId<T extends { id: string }>(ids: readonly string[], docs: T[]): Array<T | null> {
  const map = new Map(docs.map((d) => [d.id, d]));
  return ids.map((id) => map.get(id) ?? null);
}
