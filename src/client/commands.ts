/**
 * The mmvec commands as `MmvecClient` sends them, one table for every client library:
 * each entry names the command, encodes the arguments after the key (as text or raw
 * bytes, which every library sends unchanged) and decodes the reply as the library
 * returns it (RESP2 or RESP3: integers are numbers, floats text or doubles, `null` for nil).
 */

import { type ArrayOf, type DType, type DTypeAlias, type Format, typedArrayFor } from '../dtypes.js';

/** A command argument on the wire. */
export type Arg = string | Buffer;

/** A value written to a vector: `bigint` keeps 64-bit integers exact; for a `bytes<N>`
 * key, a string (sent as its UTF-8) or a `Buffer` (sent as it is). */
export type Value = number | bigint | string | Buffer;

export interface BindOptions {
  /** Element type (default `float64`; for an existing `.npy` file, the one its header names). */
  dtype?: DType | DTypeAlias;
  /** Bind read-only: writes through this key are refused. */
  readonly?: boolean;
  /** File format (default: `npy` for a path ending in `.npy`, else `raw`). */
  format?: Format;
}

/** What `MMVEC.INFO` reports about a key. */
export interface VectorInfo {
  /** The path as it was given to `open`. */
  path: string;
  /** The absolute path of the file (empty while the file is unavailable). */
  file: string;
  dtype: DType;
  itemsize: number;
  count: number;
  bytes: number;
  mode: 'read-write' | 'read-only';
  /** `mapped`, or why the file could not be mapped (e.g. `backing file missing: …`). */
  backing: string;
  format: Format;
}

export interface Command<P extends unknown[], R> {
  readonly name: string;
  /** Reads only (a cluster client may send it to a replica when told to use replicas). */
  readonly readonly: boolean;
  /** The reply is raw bytes: the transport must return the bulk string as a `Buffer`. */
  readonly binary: boolean;
  /** The arguments after the key. */
  encode(...params: P): Arg[];
  decode(reply: unknown, ...params: P): R;
}

function command<P extends unknown[], R>(
  name: string,
  flags: { readonly: boolean; binary?: boolean },
  encode: (...params: P) => Arg[],
  decode: (reply: unknown, ...params: P) => R,
): Command<P, R> {
  return { name, readonly: flags.readonly, binary: flags.binary ?? false, encode, decode };
}

const READ = { readonly: true };
const WRITE = { readonly: false };

/**
 * One element as a number. A float arrives as a double over RESP3 and as text over RESP2,
 * where the module spells infinities `inf` and `-inf`, which `Number` does not read
 * (`nan` it reads as NaN, like any text that is not a number).
 */
function toNumber(reply: unknown): number {
  if (typeof reply === 'number') return reply;
  const text = String(reply);
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

function toNumberOrNull(reply: unknown): number | null {
  return reply === null ? null : toNumber(reply);
}

/** A value as text (a byte string as it is); `String(-0)` is `'0'`, which would lose the
 * sign of a float zero. */
function encodeValue(value: Value): Arg {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  return Object.is(value, -0) ? '-0' : String(value);
}

function toBufferOrNull(reply: unknown): Buffer | null {
  return reply === null ? null : (reply as Buffer);
}

function toCount(reply: unknown): number {
  return Number(reply);
}

function asBuffer(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function toInfo(reply: unknown): VectorInfo | null {
  if (reply === null) return null;
  const pairs = reply as unknown[];
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < pairs.length; i += 2) fields.set(String(pairs[i]), pairs[i + 1]);
  return {
    path: String(fields.get('path')),
    file: String(fields.get('file')),
    dtype: String(fields.get('dtype')) as DType,
    itemsize: Number(fields.get('itemsize')),
    count: Number(fields.get('count')),
    bytes: Number(fields.get('bytes')),
    mode: String(fields.get('mode')) as VectorInfo['mode'],
    backing: String(fields.get('backing')),
    format: String(fields.get('format')) as Format,
  };
}

function toTypedArray(reply: unknown, dtype: DType): ArrayOf<DType> | null {
  if (reply === null) return null;
  const bytes = reply as Buffer;
  // Copy into a fresh ArrayBuffer: a Buffer's offset need not be aligned for the type.
  const aligned = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return new (typedArrayFor(dtype))(aligned);
}

export const OPEN = command(
  'MMVEC.OPEN',
  WRITE,
  (path: string, options: BindOptions) => [
    path,
    // A .npy file without a dtype takes its header's: no TYPE. Otherwise float64 is named,
    // so a re-open checks it.
    ...(options.dtype === undefined && (options.format ?? (/\.npy$/i.test(path) ? 'npy' : 'raw')) === 'npy'
      ? []
      : ['TYPE', options.dtype ?? 'float64']),
    ...(options.readonly ? ['READONLY'] : []),
    ...(options.format !== undefined ? ['FORMAT', options.format] : []),
  ],
  toCount,
);

export const GET = command('MMVEC.GET', READ, (index: number) => [String(index)], toNumberOrNull);

/** `MMVEC.GET` with the reply as its bytes: a `bytes<N>` element, or float80's exact text. */
export const GET_BYTES = command(
  'MMVEC.GET',
  { readonly: true, binary: true },
  (index: number) => [String(index)],
  toBufferOrNull,
);

export const MGET = command(
  'MMVEC.MGET',
  READ,
  (indices: readonly number[]) => indices.map(String),
  (reply) => (reply as unknown[]).map(toNumberOrNull),
);

export const SET = command(
  'MMVEC.SET',
  WRITE,
  (indices: readonly number[], values: readonly Value[]) => {
    if (indices.length !== values.length) {
      throw new RangeError(`${indices.length} indices but ${values.length} values`);
    }
    return indices.flatMap((index, k) => [String(index), encodeValue(values[k]!)]);
  },
  toCount,
);

export const ADD = command('MMVEC.ADD', WRITE, (values: readonly Value[]) => values.map(encodeValue), toCount);

export const POP = command('MMVEC.POP', WRITE, () => [], toNumberOrNull);

export const COUNT = command('MMVEC.COUNT', READ, () => [], toCount);

export const CLEAR = command('MMVEC.CLEAR', WRITE, () => [], toCount);

export const RANGE = command(
  'MMVEC.RANGE',
  READ,
  (start: number, stop: number) => [String(start), String(stop)],
  (reply) => (reply as unknown[]).map(toNumber),
);

/** `MMVEC.RANGE` with every element as its bytes (see `GET_BYTES`). */
export const RANGE_BYTES = command(
  'MMVEC.RANGE',
  { readonly: true, binary: true },
  (start: number, stop: number) => [String(start), String(stop)],
  (reply) => reply as Buffer[],
);

export const INCRBY = command(
  'MMVEC.INCRBY',
  WRITE,
  (index: number, delta: Value) => [String(index), encodeValue(delta)],
  toNumber,
);

export const INFO = command('MMVEC.INFO', READ, () => [], toInfo);

export const SYNC = command(
  'MMVEC.SYNC',
  WRITE,
  () => [],
  (): void => undefined,
);

export const GETBLOB = command(
  'MMVEC.GETBLOB',
  { readonly: true, binary: true },
  (_dtype: DType, start: number, count: number) => [String(start), String(count)],
  (reply, dtype: DType) => toTypedArray(reply, dtype),
);

export const SETBLOB = command(
  'MMVEC.SETBLOB',
  WRITE,
  (start: number, values: ArrayBufferView) => [String(start), asBuffer(values)],
  toCount,
);

export const ADDBLOB = command('MMVEC.ADDBLOB', WRITE, (values: ArrayBufferView) => [asBuffer(values)], toCount);
