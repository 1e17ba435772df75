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
