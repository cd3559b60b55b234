/**
 * Element types. Their names, aliases, sizes, bounds and value grammar are the Rust
 * core's, read from the addon (the names' TypeScript unions, the `bytes<N>` family's
 * template literal types included, are generated from the core's table by
 * crates/node/build.rs); this file adds only what is JavaScript's own: the JS value type
 * and the typed array that holds each dtype.
 */

import {
  type DTypeFamilyInfo,
  type DTypeInfo,
  type DTypeNames,
  type FixedDType,
  dtypeFamilies,
  dtypes,
} from '../native/index.js';

export type { DTypeFamilyInfo, DTypeInfo, FixedDType };
export {
  canonicalDtype,
  convertElements,
  convertValue,
  dtypeOfNpyDescr,
  formatLines,
  formatOfPath,
  formatValue,
  nearestNumbers,
  npyDescr,
  parseValue,
  parseValues,
} from '../native/index.js';

/** A dtype's canonical name: a fixed-size type's (`float64`), or `bytes<N>`'s (`bytes8`). */
export type DType = DTypeNames['name'];

/** Another name of a dtype, accepted wherever a dtype is (`f64`, `double`, `S8`). */
export type DTypeAlias = DTypeNames['alias'];

/** numpy `memmap` modes: `r` read-only, `r+` read-write, `w+` create or truncate, `a` create if missing. */
export type Mode = 'r' | 'r+' | 'w+' | 'a';

/** How a file lays out its elements: raw, or after a numpy `.npy` header. */
export type Format = 'raw' | 'npy';

/** The runtime's `Float16Array` (Node 24 and later have one; Node 20 and 22 do not). */
const Float16ArrayOfRuntime = (globalThis as { Float16Array?: Float16ArrayConstructor }).Float16Array;

/** `Float16Array` where the TypeScript lib declares it (`ESNext.Float16`), else nothing: so
 * these declarations also compile for a consumer whose lib predates it. */
type Float16ArrayOfLib = typeof globalThis extends { Float16Array: { prototype: infer A } } ? A : never;

/** The typed arrays of the fixed-size dtypes. A `bytes<N>` dtype's is `Uint8Array` (raw
 * NUL-padded elements). float16's is `Float16Array` where the runtime has one, else a
 * `Uint16Array` of the raw bits; bfloat16's is a `Uint16Array` of the raw bits; float80's
 * a `Uint8Array` of the raw 16-byte slots. */
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
  float16: Float16ArrayOfLib | Uint16Array;
  bfloat16: Uint16Array;
  float80: Uint8Array;
}

/** The typed array that holds `D`'s elements: `TypedArrayOf`'s, `Uint8Array` for `bytes<N>`. */
export type ArrayOf<D extends DType> = D extends keyof TypedArrayOf ? TypedArrayOf[D] : Uint8Array;

/** The JS values of the dtypes whose typed array does not hold them as they are. */
interface ValueTypeOf {
  float16: number;
  bfloat16: number;
  float80: number;
}

/**
 * An element as JavaScript reads it: `bigint` for 64-bit integers, `number` for the other
 * numeric types (float80's nearest), `Buffer` for `bytes<N>` (without trailing NULs).
 */
export type ValueOf<D extends DType> = D extends keyof ValueTypeOf
  ? ValueTypeOf[D]
  : D extends keyof TypedArrayOf
    ? TypedArrayOf[D][number]
    : Buffer;

/** What a write takes for `D`: `ValueOf<D>`, and for `bytes<N>` also a string (its UTF-8
 * bytes) or any `Uint8Array`. */
export type InputOf<D extends DType> = D extends keyof TypedArrayOf ? ValueOf<D> : string | Uint8Array;

export interface TypedArrayConstructor<D extends DType> {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): ArrayOf<D>;
  readonly BYTES_PER_ELEMENT: number;
}

const constructors: { [D in keyof TypedArrayOf]: TypedArrayConstructor<D> } = {
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
  float16: Float16ArrayOfRuntime ?? Uint16Array,
  bfloat16: Uint16Array,
  float80: Uint8Array,
};

/** The dtypes whose typed array holds each element as its JS value, which reads and
 * writes through a view may then use as they are. (float16's does only on a runtime with
 * `Float16Array`; mmvec reads and writes it through the addon everywhere.) */
const holdsValues = new Set<DType>([
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
]);

export function typedArrayFor<D extends DType>(dtype: D): TypedArrayConstructor<D> {
  return (constructors[dtype as keyof TypedArrayOf] ?? Uint8Array) as TypedArrayConstructor<D>;
}

/** Whether `typedArrayFor(dtype)` holds `dtype`'s JS values as they are. */
export function arrayHoldsValues(dtype: DType): boolean {
  return holdsValues.has(dtype);
}

/** The core's table of fixed-size dtypes, in its order. */
export const DTYPES: readonly DTypeInfo[] = dtypes();

/** The core's parameterised dtype families: `bytes<N>`. */
export const DTYPE_FAMILIES: readonly DTypeFamilyInfo[] = dtypeFamilies();

/** Whether `dtype` (a canonical name) is a member of a family of byte strings (`bytes8`). */
export function isByteString(dtype: DType): boolean {
  return DTYPE_FAMILIES.some((family) => family.kind === 'bytes' && dtype.startsWith(family.prefix));
}
