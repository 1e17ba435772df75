import {
  coerceInputValue,
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  typeFromAST,
  type DocumentNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badVariable } from './limit-errors';

/** Messages of graphql-js that name only schema types and fields, never what the client sent. */
const SAFE_MESSAGES = [
  /^Field "\w+" of required type "[\w[\]!]+" was not provided\.$/,
  /^Expected non-nullable type "[\w[\]!]+" not to be null\.$/,
  /^Expected type "\w+" to be an object\.$/,
  /^Exactly one key must be specified for OneOf type "\w+"\.$/,
];
const UNKNOWN_FIELD = /^Field "[^"]*" is not defined by type "(\w+)"\./;

/**
 * The operation's variables checked against their declared types, before cost analysis or
 * execution: one BAD_USER_INPUT error (HTTP 400) per wrong variable, naming the variable and the
 * path inside it, never the value (graphql-js quotes it, and a secret env value would end up
 * in the response and in every log that prints the error). At most `maxErrors` errors.
 * An unknown operation yields none: resolving the operation reports that.
 */
export function variableErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  maxErrors = 10,
): GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const inputs = variables ?? {};
  const errors: GraphQLError[] = [];
  for (const def of operation.variableDefinitions ?? []) {
    if (errors.length >= maxErrors) break;
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type);
    // Validation has already refused an unknown or output type; nothing to add here.
    if (!type || !isInputType(type)) continue;
    const given = Object.prototype.hasOwnProperty.call(inputs, name);
    const value = given ? inputs[name] : undefined;
    if (!given || value === undefined) {
      if (isNonNullType(type) && !def.defaultValue) {
        errors.push(badVariable(`Variable "$${name}" of required type "${String(type)}" was not provided.`, name, def));
      }
      continue;
    }
    if (value === null) {
      if (isNonNullType(type)) errors.push(badVariable(`Variable "$${name}" of non-null type "${String(type)}" must not be null.`, name, def));
      continue;
    }
    coerceInputValue(value, type, (path, _invalid, error) => {
      if (errors.length >= maxErrors) return;
      const field = printPath(name, path);
      const where = path.length > 0 ? ` at "${field}"` : '';
      errors.push(badVariable(`Variable "$${name}" got an invalid value${where}; ${describe(error, typeAt(type, path))}`, field, def));
    });
  }
  return errors;
}

function describe(error: GraphQLError, expected: GraphQLInputType | undefined): string {
  if (SAFE_MESSAGES.some((re) => re.test(error.message))) return error.message;
  const unknown = UNKNOWN_FIELD.exec(error.message);
  if (unknown) return `a field is not defined by type "${unknown[1]}".`;
  return expected ? `expected a value of type "${String(expected)}".` : 'the value does not match its type.';
}

/** The declared type at `path` inside a variable of `type`, following list items and input fields. */
function typeAt(type: GraphQLInputType, path: ReadonlyArray<string | number>): GraphQLInputType | undefined {
  let t: GraphQLInputType | undefined = type;
  for (const key of path) {
    const nullable: GraphQLInputType | undefined = t ? getNullableType(t) : undefined;
    if (typeof key === 'number' && nullable && isListType(nullable)) t = nullable.ofType as GraphQLInputType;
    else if (typeof key === 'string' && nullable && isInputObjectType(nullable)) t = nullable.getFields()[key]?.type;
    else return undefined;
  }
  return t;
}

/** `i.env[0].name`: the keys on the path are fields of the schema's input types, indexes are numbers. */
function printPath(name: string, path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${key}`), name);
}
