/**
 * A command failure in MongoDB's reply shape: `{ ok: 0, errmsg, code, codeName, ...extra }`.
 * Drivers build their MongoServerError from exactly these fields, so every failure a client
 * can cause goes through this class.
 */
export class MongoCommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MongoCommandError';
  }

  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** Codes used here, with mongod's names. */
export const ErrorCodes = {
  InternalError: [1, 'InternalError'],
  BadValue: [2, 'BadValue'],
  FailedToParse: [9, 'FailedToParse'],
  TypeMismatch: [14, 'TypeMismatch'],
  Overflow: [15, 'Overflow'],
  IllegalOperation: [20, 'IllegalOperation'],
  InvalidBSON: [22, 'InvalidBSON'],
  NamespaceNotFound: [26, 'NamespaceNotFound'],
  IndexNotFound: [27, 'IndexNotFound'],
  CursorNotFound: [43, 'CursorNotFound'],
  NamespaceExists: [48, 'NamespaceExists'],
  CommandNotFound: [59, 'CommandNotFound'],
  ImmutableField: [66, 'ImmutableField'],
  InvalidOptions: [72, 'InvalidOptions'],
  InvalidNamespace: [73, 'InvalidNamespace'],
  IndexOptionsConflict: [85, 'IndexOptionsConflict'],
  IndexKeySpecsConflict: [86, 'IndexKeySpecsConflict'],
  ProtocolError: [17, 'ProtocolError'],
  DuplicateKey: [11000, 'DuplicateKey'],
  BSONObjectTooLarge: [10334, 'BSONObjectTooLarge'],
  UpdateResultTooLarge: [17419, 'Location17419'],
  InvalidPipelineStage: [40324, 'Location40324'],
  InvalidPipelineOperator: [168, 'InvalidPipelineOperator'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorName = keyof typeof ErrorCodes;

/** Shorthand: `fail('BadValue', 'why')`. */
export function fail(name: ErrorName, message: string, extra?: Record<string, unknown>): MongoCommandError {
  const [code, codeName] = ErrorCodes[name];
  return new MongoCommandError(code, codeName, message, extra);
}
