import type { UserPrincipal } from '../../auth/principal';
import type { Actor } from '../../services/audit.service';
import type { GraphQLContext } from './context';

/** The signed-in user behind this request, and the address it came from: who an audited action names. */
export function actorOf(ctx: GraphQLContext, user: UserPrincipal): Actor & { id: string } {
  return { id: user.userId, name: user.username, address: ctx.clientAddress };
}
