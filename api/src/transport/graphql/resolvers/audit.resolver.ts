import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { requireUser } from '../../../auth/guards';
import { AUDIT_PAGE } from '../../../services/audit.service';
import type { GraphQLContext } from '../context';
import { AuditEntryConnection } from '../types/audit-log.type';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEntryConnection, {
    description: 'admin: the audit trail, newest first, cursor pagination',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Math.min(Number(args.first ?? AUDIT_PAGE.default), AUDIT_PAGE.max),
  })
  async auditLog(
    @Arg('first', () => Int, { nullable: true, description: `default ${AUDIT_PAGE.default}, at most ${AUDIT_PAGE.max}` }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Arg('action', () => String, { nullable: true, description: 'only this action, e.g. auth.signInFailed' }) action: string | undefined,
    @Arg('actor', () => String, { nullable: true, description: "only this actor: a username or a user id" }) actor: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuditEntryConnection> {
    return ctx.app.services.audit.list(requireUser(ctx), { first, after, action, actor });
  }
}
