import { Field, ID, ObjectType } from 'type-graphql';
import { LogChunk } from '../../../storage/models';

@ObjectType({
  description:
    'one jobLogs event: every chunk available when it was sent (one or more), in (attempt, seq) order, continuing the previous event with no gap or duplicate',
})
export class LogBatch {
  @Field(() => ID)
  jobId!: string;

  @Field(() => [LogChunk])
  chunks!: LogChunk[];
}
