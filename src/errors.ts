/** Argument errors raised in JS before the native call, in Node's own style. */

export interface CodedError extends Error {
  code: string;
}

export function invalidArgType(name: string, expected: string, actual: unknown): TypeError & CodedError {
  const shown = actual === null ? 'null' : Array.isArray(actual) ? 'an array' : `type ${typeof actual}`;
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${shown}`) as TypeError & CodedError;
  error.code = 'ERR_INVALID_ARG_TYPE';
  return error;
}

export function checkNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
}

export function checkString(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
}

export function checkValue(name: string, value: unknown): asserts value is number | bigint {
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw invalidArgType(name, 'of type number or bigint', value);
  }
}

export function checkArrayLike(name: string, value: unknown): asserts value is ArrayLike<unknown> {
  const ok = value !== null && typeof value === 'object' && typeof (value as ArrayLike<unknown>).length === 'number';
  if (!ok) throw invalidArgType(name, 'an array or typed array', value);
}
