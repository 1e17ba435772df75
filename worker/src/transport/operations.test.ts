import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import * as ops from './operations';

describe('worker operations', () => {
  const schema = buildSchema(readFileSync(path.join(__dirname, '../../../schema/schema.graphql'), 'utf8'));
  // The generated documents are typed strings (String objects).
  const documents = Object.entries(ops as Record<string, unknown>).flatMap(([name, doc]) =>
    doc instanceof String ? [[name, doc.toString()] as const] : [],
  );

  it('covers every worker-side operation of the contract', () => {
    expect(documents.map(([name]) => name).sort()).toEqual(
      ['APPEND_LOGS', 'APPEND_LOGS_BATCH', 'ASSIGNMENTS', 'COMPLETE_JOB', 'COMPLETE_JOBS', 'HEARTBEAT', 'REGISTER_WORKER', 'START_JOB', 'START_JOBS'].sort(),
    );
  });

  it.each(documents)('%s is valid against schema/schema.graphql', (_name, doc) => {
    expect(validate(schema, parse(doc)).map((e) => e.message)).toEqual([]);
  });
});
