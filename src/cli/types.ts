/** What the command line needs to know about each dtype: the core's table, by name,
 * with the typed array that holds it. */

import { DTYPES, type DType, type DTypeInfo, typedArrayFor } from '../dtypes.js';

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

export interface TypeInfo extends DTypeInfo {
  /** Values are bigints (64-bit integers). */
  big: boolean;
  array: AnyTypedArrayConstructor;
}

export const TYPES = Object.fromEntries(
  DTYPES.map((info) => [
    info.name,
    {
      ...info,
      big: typeof info.max === 'bigint',
      array: typedArrayFor(info.name) as unknown as AnyTypedArrayConstructor,
    },
  ]),
) as Record<DType, TypeInfo>;
