import { GraphQLInt, GraphQLList, GraphQLObjectType, GraphQLSchema, parse } from 'graphql';
import { operationCost } from './query-limits';

// `items(first)` costs its page size times its selection, as `jobs(first)` does in the API.
const Item = new GraphQLObjectType({ name: 'Item', fields: { a: { type: GraphQLInt }, b: { type: GraphQLInt } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: {
        type: new GraphQLList(Item),
        args: { first: { type: GraphQLInt } },
        extensions: { complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) => 1 + childComplexity * (args.first ?? 10) },
      },
      one: { type: Item, args: { id: { type: GraphQLInt } } },
    },
  }),
});

describe('operationCost', () => {
  it('follows the variables that reach a complexity function, call after call on the same document', () => {
    const doc = parse('query($n: Int) { items(first: $n) { a b } }');
    expect(operationCost(schema, doc, { n: 2 }, undefined)).toBe(5);
    expect(operationCost(schema, doc, { n: 50 }, undefined)).toBe(101);
    expect(operationCost(schema, doc, { n: 2 }, undefined)).toBe(5);
  });

  it('follows a variable that decides whether a field counts (@include)', () => {
    const doc = parse('query($x: Boolean!) { one(id: 1) { a b @include(if: $x) } }');
    expect(operationCost(schema, doc, { x: false }, undefined)).toBe(2);
    expect(operationCost(schema, doc, { x: true }, undefined)).toBe(3);
    expect(operationCost(schema, doc, { x: false }, undefined)).toBe(2);
  });

  it('gives the same cost for a document whose variables cannot change it, and per operation of a document', () => {
    const doc = parse('query A($id: Int) { one(id: $id) { a } } query B { items(first: 3) { a } ...F } fragment F on Query { one(id: 2) { b } }');
    expect(operationCost(schema, doc, { id: 1 }, 'A')).toBe(2);
    expect(operationCost(schema, doc, { id: 7 }, 'A')).toBe(2);
    expect(operationCost(schema, doc, {}, 'B')).toBe(6);
  });
});
