/** What the command line needs to know about each dtype: the core's table, by name,
 * with the typed array that holds it. */

import {
  DTYPES,
  DTYPE_FAMILIES,
  type DType,
  type DTypeInfo,
  arrayHoldsValues,
  canonicalDtype,
  typedArrayFor,
} from '../dtypes.js';

export type AnyTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export interface AnyTypedArrayConstructor {
  new (length: number): AnyTypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): AnyTypedArray;
  readonly BYTES_PER_ELEMENT: number;
}

export interface TypeInfo {
  name: DType;
  itemsize: number;
  kind: DTypeInfo['kind'];
  /** Values are bigints (64-bit integers). */
  big: boolean;
  /** The typed array of the elements: for float16, bfloat16, float80 and `bytes<N>` it
   * holds their bits or bytes, not their values (`holdsValues` is false). */
  array: AnyTypedArrayConstructor;
  holdsValues: boolean;
}

function typeInfo(name: DType, itemsize: number, kind: DTypeInfo['kind'], big: boolean): TypeInfo {
  return {
    name,
    itemsize,
    kind,
    big,
    array: typedArrayFor(name) as unknown as AnyTypedArrayConstructor,
    holdsValues: arrayHoldsValues(name),
  };
}

const FIXED = new Map<DType, TypeInfo>(
  DTYPES.map((info) => [info.name, typeInfo(info.name, info.itemsize, info.kind, typeof info.max === 'bigint')]),
);

/** The type named `dtype` (a canonical name): a fixed-size one, or a `bytes<N>`. */
export function typeOf(dtype: DType): TypeInfo {
  const fixed = FIXED.get(dtype);
  if (fixed) return fixed;
  const family = DTYPE_FAMILIES.find((f) => dtype.startsWith(f.prefix));
  const width = Number(dtype.slice(family?.prefix.length ?? 0));
  // The core checks the name (and the width's range).
  return typeInfo(canonicalDtype(dtype), width, family?.kind ?? 'bytes', false);
}
