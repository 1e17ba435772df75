import { Field, ID, ObjectType } from 'type-graphql';
import { User } from '../../../storage/models';

@ObjectType()
export class AuthPayload {
  @Field(() => String)
  token!: string;

  @Field(() => User)
  user!: User;
}

@ObjectType({ description: 'token is shown once; only its hash is stored' })
export class WorkerToken {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  token!: string;

  @Field(() => String)
  workerName!: string;

  @Field(() => [String])
  labels!: string[];

  @Field(() => Date, { nullable: true })
  expiresAt?: Date;

  @Field(() => String, { description: 'installs and starts an agent with this token on another host (curl + node ≥ 20); contains the token' })
  installCommand!: string;
}

@ObjectType({ description: 'a worker token as listed for admins (never the token itself)' })
export class WorkerTokenInfo {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [String])
  labels!: string[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'when a worker last authenticated with it (to the minute)' })
  lastUsedAt?: Date;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date;

  @Field(() => Date, { nullable: true })
  revokedAt?: Date;

  @Field(() => Date, { nullable: true })
  rotatedAt?: Date;

  @Field(() => Date, { nullable: true, description: 'the token replaced by the last rotation works until then' })
  previousValidUntil?: Date;
}
