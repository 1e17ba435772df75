import { spliceMessage } from '@cmd-executor/json-text';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { buildApiSchema } from '../graphql/schema';
import { directLogEventResult } from './log-event-results';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildApiSchema();
});

const at = new Date(Date.UTC(2026, 11, 5, 8, 0, 0, 123));
const chunk = (seq: number, data: string, stream = 'STDOUT') => ({ jobId: '65f0c0ffee0123456789abcd', attempt: 2, seq, stream, data, at });
const batch = { jobId: '65f0c0ffee0123456789abcd', chunks: [chunk(7, 'line one\n'), chunk(8, 'héllo ✓ 😀 \u0001 "q" \\\n', 'STDERR'), chunk(9, '', 'SYSTEM')] };

/** What graphql-js answers for one event: the jobLogs resolver returns the event itself. */
async function viaExecute(query: string, payload: unknown): Promise<ExecutionResult> {
  return execute({ schema, document: parse(query), rootValue: payload, contextValue: {}, variableValues: { id: batch.jobId } });
}

/** The bytes graphql-ws would send (the chunks spliced in, @cmd-executor/json-text): keys, order and values all count. */
const wire = (r: ExecutionResult | undefined) => {
  const message = JSON.stringify({ id: 'op-1', type: 'next', payload: r });
  return spliceMessage(message)?.toString('utf8') ?? message;
};

describe('jobLogs events built directly', () => {
  it.each([
    ['the fields the UI and the benches ask for', 'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { attempt seq stream data } } }'],
    ['every field, aliases and __typename, in an odd order', 'subscription S($id: ID!) { logs: jobLogs(jobId: $id, afterSeq: 3) { __typename c: chunks { at __typename data d2: data jobId seq stream attempt } jobId } }'],
    ['the batch id alone', 'subscription($id: ID!) { jobLogs(jobId: $id) { jobId } }'],
  ])('answer %s exactly as execute does', async (_name, query) => {
    const direct = directLogEventResult(schema, parse(query), undefined, batch);
    expect(direct).toBeDefined();
    expect(wire(direct)).toBe(wire(await viaExecute(query, batch)));
  });

  it('leaves to execute an event it cannot answer exactly (a missing non-null value), so its error is execute’s', async () => {
    const query = 'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { seq data } } }';
    const broken = { ...batch, chunks: [chunk(1, 'ok\n'), { ...chunk(2, 'x'), data: null }] };
    expect(directLogEventResult(schema, parse(query), undefined, broken)).toBeUndefined();
    expect((await viaExecute(query, broken)).errors?.length).toBeGreaterThan(0);
  });

  it.each([
    ['a fragment', 'subscription($id: ID!) { jobLogs(jobId: $id) { ...B } } fragment B on LogBatch { chunks { seq } }'],
    ['a directive', 'subscription($id: ID!, $x: Boolean!) { jobLogs(jobId: $id) { chunks { seq data @include(if: $x) } } }'],
    ['a repeated response key', 'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { seq seq } } }'],
    ['another subscription', 'subscription { jobUpdated(jobId: "65f0c0ffee0123456789abcd") { id } }'],
  ])('leaves every event of a document with %s to execute', (_name, query) => {
    expect(directLogEventResult(schema, parse(query), undefined, batch)).toBeUndefined();
  });
});
