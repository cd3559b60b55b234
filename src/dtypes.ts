/**
 * Element types. Their names, aliases, sizes, bounds and value grammar are the Rust
 * core's, read from the addon; this file adds only what is JavaScript's own: the JS
 * value type and the typed array that holds each dtype.
 */

import { type DType, type DTypeAlias, type DTypeInfo, dtypes } from '../native/index.js';

export type { DType, DTypeAlias, DTypeInfo };
export {
  canonicalDtype,
  convertElements,
  convertValue,
  formatLines,
  formatOfPath,
  formatValue,
  parseValue,
  parseValues,
} from '../native/index.js';

/** numpy `memmap` modes: `r` read-only, `r+` read-write, `w+` create or truncate, `a` create if missing. */
export type Mode = 'r' | 'r+' | 'w+' | 'a';

/** How a file lays out its elements: raw, or after a numpy `.npy` header. */
export type Format = 'raw' | 'npy';

export interface TypedArrayOf {
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  float32: Float32Array;
  float64: Float64Array;
}

export type ArrayOf<D extends DType> = TypedArrayOf[D];

/** An element as its typed array holds it: `bigint` for 64-bit integers, else `number`. */
export type ValueOf<D extends DType> = ArrayOf<D>[number];

export interface TypedArrayConstructor<D extends DType> {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): ArrayOf<D>;
  readonly BYTES_PER_ELEMENT: number;
}

const constructors: { [D in DType]: TypedArrayConstructor<D> } = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

export function typedArrayFor<D extends DType>(dtype: D): TypedArrayConstructor<D> {
  return constructors[dtype];
}

/** The core's dtype table, in its order. */
export const DTYPES: readonly DTypeInfo[] = dtypes();
