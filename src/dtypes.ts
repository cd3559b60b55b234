/** Element types, their JS value types and the typed arrays that hold them. */

export type DType =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

/** Short aliases accepted wherever a dtype is: `i8 … u64, f32, f64`, and `float`/`double`. */
export type DTypeAlias = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64' | 'float' | 'double';

/** numpy `memmap` modes: `r` read-only, `r+` read-write, `w+` create or truncate, `a` create if missing. */
export type Mode = 'r' | 'r+' | 'w+' | 'a';

/** How a file lays out its elements: raw, or after a numpy `.npy` header. */
export type Format = 'raw' | 'npy';

/** 64-bit integers are `bigint`, as in `BigInt64Array`; every other type is `number`. */
export type ValueOf<D extends DType> = D extends 'int64' | 'uint64' ? bigint : number;

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
