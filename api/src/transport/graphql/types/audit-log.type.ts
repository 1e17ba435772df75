import { Field, ID, ObjectType } from 'type-graphql';
import { PageInfo } from './job-connection.type';

@ObjectType({ description: 'one non-sensitive fact about an audited action (a name, a role, a grace period)' })
export class AuditDetail {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType({ description: 'who did what to which target, when, and from which address' })
export class AuditEntryView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'null: nobody known (a failed sign-in with an unknown username)' })
  actorId?: string;

  @Field(() => String, { nullable: true, description: "the actor's username at the time, or the username a failed sign-in gave" })
  actorName?: string;

  @Field(() => String, { description: 'e.g. auth.signIn, auth.signInFailed, auth.lockout, user.setRole, workerToken.rotate, worker.drain, job.cancel' })
  action!: string;

  @Field(() => String, { nullable: true, description: 'id of the user, job, worker or token acted on' })
  targetId?: string;

  @Field(() => [AuditDetail])
  details!: AuditDetail[];

  @Field(() => String, { nullable: true, description: "the caller's address (TRUST_PROXY applied); null outside a request (command line)" })
  sourceAddress?: string;

  @Field(() => Date)
  at!: Date;
}

@ObjectType()
export class AuditEntryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditEntryView)
  node!: AuditEntryView;
}

@ObjectType()
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge])
  edges!: AuditEntryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
