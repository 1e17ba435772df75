import { Field, InputType, Int } from 'type-graphql';
import { SandboxKind } from '../../../domain/enums';
import type { CreateJobData, EnvVarData, JobLimitsData } from '../../../domain/job-input.rules';

@InputType()
export class EnvVarInput implements EnvVarData {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;

  @Field(() => Boolean, { nullable: true, description: 'stored for the worker, never returned (value reads null)' })
  secret?: boolean;
}

@InputType()
export class JobLimitsInput implements JobLimitsData {
  @Field(() => Int, { nullable: true })
  memoryMb?: number;

  @Field(() => Int, { nullable: true })
  pids?: number;

  @Field(() => Int, { nullable: true })
  cpuSeconds?: number;

  @Field(() => Int, { nullable: true })
  fileSizeMb?: number;
}

@InputType()
export class CreateJobInput implements CreateJobData {
  @Field(() => String, { description: 'at most 64 KiB, not blank' })
  command!: string;

  @Field(() => [String], { nullable: true, description: 'given: exec command without a shell' })
  args?: string[];

  @Field(() => [EnvVarInput], { nullable: true, description: 'at most 128 variables, 64 KiB in total' })
  env?: EnvVarInput[];

  @Field(() => String, { nullable: true })
  cwd?: string;

  @Field(() => [String], { nullable: true, description: 'labels the worker must have; at most 16' })
  requirements?: string[];

  @Field(() => Int, { nullable: true, description: 'default 0, -100..100; higher runs first' })
  priority?: number;

  @Field(() => Int, { nullable: true, description: '1..604800' })
  timeoutSeconds?: number;

  @Field(() => Int, { nullable: true, description: 'default 1, 1..10' })
  maxAttempts?: number;

  @Field(() => String, { nullable: true, description: 'same key from the same user within 24 h returns the first job' })
  idempotencyKey?: string;

  @Field(() => SandboxKind, { nullable: true })
  sandbox?: SandboxKind;

  @Field(() => String, { nullable: true })
  image?: string;

  @Field(() => JobLimitsInput, { nullable: true })
  limits?: JobLimitsInput;
}
