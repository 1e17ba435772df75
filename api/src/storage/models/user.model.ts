import { modelOptions, prop } from '@typegoose/typegoose';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../domain/enums';

@ObjectType()
@modelOptions({ schemaOptions: { collection: 'users', timestamps: true } })
export class User {
  @Field(() => ID)
  readonly id!: string;

  @Field(() => String)
  @prop({ type: String, required: true, unique: true, trim: true })
  username!: string;

  /** scrypt, `scrypt$N$r$p$salt$hash`; never a GraphQL field. */
  @prop({ type: String, required: true })
  passwordHash!: string;

  @Field(() => Role)
  @prop({ enum: Role, type: String, required: true, default: Role.USER })
  role!: Role;

  /** A disabled user cannot sign in, and its sessions stop working at once. */
  @Field(() => Boolean)
  @prop({ type: Boolean, required: true, default: false })
  disabled!: boolean;

  /** Session generation: raising it ends every token signed before (revokeSessions). Never a GraphQL field. */
  @prop({ type: Number, required: true, default: 0 })
  tokenVersion!: number;

  @Field(() => Date)
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}
