import { index, modelOptions, prop } from '@typegoose/typegoose';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../domain/enums';

@ObjectType()
// An OIDC account is one person at one issuer, whatever name they sign in with later.
@index({ oidcIssuer: 1, oidcSubject: 1 }, { unique: true, partialFilterExpression: { oidcSubject: { $exists: true } } })
@modelOptions({ schemaOptions: { collection: 'users', timestamps: true } })
export class User {
  @Field(() => ID)
  readonly id!: string;

  @Field(() => String)
  @prop({ type: String, required: true, unique: true, trim: true })
  username!: string;

  /** scrypt, `scrypt$N$r$p$salt$hash`; never a GraphQL field. Absent for users who sign in only through OIDC. */
  @prop({ type: String })
  passwordHash?: string;

  /** The OIDC issuer and subject this user signs in as (both absent for password-only users). */
  @prop({ type: String })
  oidcIssuer?: string;

  @prop({ type: String })
  oidcSubject?: string;

  @prop({ type: Date })
  lastLoginAt?: Date;

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
