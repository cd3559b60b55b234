/** Argument errors raised in JS before the native call, in Node's own style. */

import type { DType } from './dtypes.js';

/**
 * Every error mmvec throws: a stable `code`, and what the error is about where the core
 * knows it, so callers never parse `message`.
 */
export interface CodedError extends Error {
  code: string;
  /** The file, as given (`ENOENT`, `ERR_MMVEC_BAD_SIZE`, `ERR_MMVEC_LOCKED`, I/O errors, …). */
  path?: string;
  /** The file's size in bytes (`ERR_MMVEC_BAD_SIZE`). */
  size?: number;
  /** The dtype (`ERR_MMVEC_BAD_SIZE`, `ERR_MMVEC_BAD_VALUE`, `ERR_MMVEC_BAD_LENGTH`). */
  dtype?: DType;
  /** The refused value as text, cut at 128 characters (`ERR_MMVEC_BAD_VALUE`). */
  value?: string;
  /** Why the value was refused, such as `out of range` (`ERR_MMVEC_BAD_VALUE`). */
  reason?: string;
}

export function invalidArgType(name: string, expected: string, actual: unknown): TypeError & CodedError {
  const shown = actual === null ? 'null' : Array.isArray(actual) ? 'an array' : `type ${typeof actual}`;
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${shown}`) as TypeError &
    CodedError;
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

/** `checkValue` for every element, named `name[k]`; the name is built only for a refusal. */
export function checkValues(name: string, values: ArrayLike<unknown>): asserts values is ArrayLike<number | bigint> {
  for (let k = 0; k < values.length; k++) {
    const value = values[k];
    if (typeof value !== 'number' && typeof value !== 'bigint') {
      throw invalidArgType(`${name}[${k}]`, 'of type number or bigint', value);
    }
  }
}

/** A value for a `bytes<N>` dtype: a string (its UTF-8 bytes) or a `Uint8Array`. */
export function checkBytesValue(name: string, value: unknown): asserts value is string | Uint8Array {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw invalidArgType(name, 'of type string or an instance of Uint8Array', value);
  }
}

/** `checkBytesValue` for every element, named `name[k]`. */
export function checkBytesValues(
  name: string,
  values: ArrayLike<unknown>,
): asserts values is ArrayLike<string | Uint8Array> {
  for (let k = 0; k < values.length; k++) checkBytesValue(`${name}[${k}]`, values[k]);
}

/** `checkNumber` for every element, named `name[k]`. */
export function checkNumbers(name: string, values: ArrayLike<unknown>): asserts values is ArrayLike<number> {
  for (let k = 0; k < values.length; k++) {
    if (typeof values[k] !== 'number') throw invalidArgType(`${name}[${k}]`, 'of type number', values[k]);
  }
}

export function checkArrayLike(name: string, value: unknown): asserts value is ArrayLike<unknown> {
  const ok = value !== null && typeof value === 'object' && typeof (value as ArrayLike<unknown>).length === 'number';
  if (!ok) throw invalidArgType(name, 'an array or typed array', value);
}
