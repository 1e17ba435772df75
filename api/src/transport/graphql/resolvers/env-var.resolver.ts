import { FieldResolver, Resolver, Root } from 'type-graphql';
import { EnvVar } from '../../../storage/models/job.model';

@Resolver(() => EnvVar)
export class EnvVarResolver {
  /** Secret values are stored for the worker and never returned here. (Root typed structurally: a class type would copy the subdocument and lose its getters.) */
  @FieldResolver(() => String, { nullable: true })
  value(@Root() env: Pick<EnvVar, 'secret' | 'value'>): string | null {
    return env.secret ? null : env.value;
  }
}
