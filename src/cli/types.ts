/** What the command line needs to know about each dtype. */

import { type DType, typedArrayFor } from '../dtypes.js';

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
  dtype: DType;
  itemsize: number;
  kind: 'int' | 'uint' | 'float';
  /** 64-bit integers: values are bigints. */
  big: boolean;
  /** Integer bounds (bigints for 64-bit types); unused for floats. */
  min: number | bigint;
  max: number | bigint;
  /** The `.npy` descr numpy writes for this type. */
  descr: string;
  array: AnyTypedArrayConstructor;
}

function info(dtype: DType, kind: TypeInfo['kind'], itemsize: number): TypeInfo {
  const bits = itemsize * 8;
  const big = kind !== 'float' && itemsize === 8;
  let min: number | bigint = 0;
  let max: number | bigint = 0;
  if (kind === 'int') {
    min = big ? -(2n ** 63n) : -(2 ** (bits - 1));
    max = big ? 2n ** 63n - 1n : 2 ** (bits - 1) - 1;
  } else if (kind === 'uint') {
    min = big ? 0n : 0;
    max = big ? 2n ** 64n - 1n : 2 ** bits - 1;
  }
  const letter = kind === 'float' ? 'f' : kind === 'int' ? 'i' : 'u';
  const descr = `${itemsize === 1 ? '|' : '<'}${letter}${itemsize}`;
  return { dtype, itemsize, kind, big, min, max, descr, array: typedArrayFor(dtype) as unknown as AnyTypedArrayConstructor };
}

export const TYPES: Record<DType, TypeInfo> = {
  int8: info('int8', 'int', 1),
  uint8: info('uint8', 'uint', 1),
  int16: info('int16', 'int', 2),
  uint16: info('uint16', 'uint', 2),
  int32: info('int32', 'int', 4),
  uint32: info('uint32', 'uint', 4),
  int64: info('int64', 'int', 8),
  uint64: info('uint64', 'uint', 8),
  float32: info('float32', 'float', 4),
  float64: info('float64', 'float', 8),
};
