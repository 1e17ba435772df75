import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../auth/guards';
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
    return ctx.app.services.workerTokens.create(admin.userId, name, labels);
  }

  @Mutation(() => Boolean, { description: 'admin' })
  async revokeWorkerToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.workerTokens.revoke(admin.userId, id);
  }
}
