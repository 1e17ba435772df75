import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../auth/guards';
import type { IssuedWorkerToken } from '../../../services/worker-token.service';
import { workerInstallCommand } from '../../http/downloads.route';
import type { GraphQLContext } from '../context';
import { actorOf } from '../audit-actor';
import { WorkerToken, WorkerTokenInfo } from '../types/auth-payload.type';

@Resolver()
export class WorkerTokenResolver {
  @Mutation(() => WorkerToken, { description: 'admin' })
  async createWorkerToken(
    @Arg('name', () => String) name: string,
    @Arg('labels', () => [String], { nullable: true }) labels: string[] | undefined,
    @Arg('expiresInDays', () => Int, { nullable: true, description: 'default: WORKER_TOKEN_TTL_DAYS (0: never)' }) expiresInDays: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WorkerToken> {
    const admin = requireAdmin(ctx);
    return withInstallCommand(ctx, await ctx.app.services.workerTokens.create(actorOf(ctx, admin), name, labels, expiresInDays));
  }

  @Mutation(() => WorkerToken, { description: 'admin: a new token for the same workers; the old one keeps working for graceSeconds (default 3600)' })
  async rotateWorkerToken(
    @Arg('id', () => ID) id: string,
    @Arg('graceSeconds', () => Int, { nullable: true }) graceSeconds: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WorkerToken> {
    const admin = requireAdmin(ctx);
    return withInstallCommand(ctx, await ctx.app.services.workerTokens.rotate(actorOf(ctx, admin), id, graceSeconds));
  }

  @Mutation(() => Boolean, { description: 'admin' })
  async revokeWorkerToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.workerTokens.revoke(actorOf(ctx, admin), id);
  }

  @Query(() => [WorkerTokenInfo], { description: 'admin: every worker token, newest first' })
  async workerTokens(@Ctx() ctx: GraphQLContext): Promise<WorkerTokenInfo[]> {
    requireAdmin(ctx);
    return ctx.app.services.workerTokens.list();
  }
}

function withInstallCommand(ctx: GraphQLContext, issued: IssuedWorkerToken): WorkerToken {
  const base = ctx.publicUrl ?? ctx.app.config.http.publicUrl ?? `http://localhost:${ctx.app.config.port}`;
  return { ...issued, installCommand: workerInstallCommand(base, issued.token) };
}
