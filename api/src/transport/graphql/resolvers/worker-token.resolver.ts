import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../auth/guards';
import { workerInstallCommand } from '../../http/downloads.route';
import type { GraphQLContext } from '../context';
import { WorkerToken } from '../types/auth-payload.type';

@Resolver()
export class WorkerTokenResolver {
  @Mutation(() => WorkerToken, { description: 'admin' })
  async createWorkerToken(
    @Arg('name', () => String) name: string,
    @Arg('labels', () => [String], { nullable: true }) labels: string[] | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WorkerToken> {
    const admin = requireAdmin(ctx);
    const issued = await ctx.app.services.workerTokens.create(admin.userId, name, labels);
    const base = ctx.publicUrl ?? ctx.app.config.http.publicUrl ?? `http://localhost:${ctx.app.config.port}`;
    return { ...issued, installCommand: workerInstallCommand(base, issued.token) };
  }

  @Mutation(() => Boolean, { description: 'admin' })
  async revokeWorkerToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.workerTokens.revoke(admin.userId, id);
  }
}
