/**
 * Reference models for the differential fuzzers (fuzz-run.ts).
 *
 * `RedisModel` predicts the reply of every mmvec command (and the few plain Redis
 * commands the fuzzer mixes in) from docs/COMMANDS.md: values, nils, integers, arrays,
 * and the exact error texts. It keeps the bytes of every vector file, so after a run the
 * files on disk can be compared with it byte for byte.
 *
 * `AddonModel` does the same for `MmapVector` (docs/API.md): return values, thrown
 * errors (code and message), views, and file bytes.
 *
 * Where the docs leave something open (mostly: which of two wrong arguments is
 * reported first), the model follows the implementation's order; that is noted at the
 * spot. Where the docs say one thing and the module does another, the model predicts
 * the documented behaviour and may name a known deviation (`finding`), which the driver
 * accepts but counts; none is open now.
 */

import { isUtf8 } from 'node:buffer';
import type { ClassicDType as DType } from '../helpers/dtypes';
import * as exact from './fuzz-floats';
import type { Exact } from './fuzz-floats';

// ---------------------------------------------------------------------------------------
// dtypes and values

export type { DType };

/** The dtypes the module serves beyond the addon's ten (`DTYPES`): the Redis model's. */
export type WideDType = 'float16' | 'bfloat16' | 'float80' | `bytes${number}`;
export type RDType = DType | WideDType;

export const DTYPES: DType[] = [
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
];
/** Every dtype the Redis fuzzer binds keys of: the ten, the wider floats, two widths of bytes. */
export const REDIS_DTYPES: RDType[] = [...DTYPES, 'float16', 'bfloat16', 'float80', 'bytes8', 'bytes3'];
/** The list an unknown dtype's error names (the core's table, `bytes<N>` for the family). */
export const DTYPE_LIST = `${DTYPES.join(', ')}, float16, bfloat16, float80, bytes<N>`;

const WIDE_FLOATS: readonly string[] = ['float16', 'bfloat16', 'float80'];
export const isWideFloat = (d: RDType): d is 'float16' | 'bfloat16' | 'float80' => WIDE_FLOATS.includes(d);
export const isBytes = (d: RDType): d is `bytes${number}` => d.startsWith('bytes');
const formatOf = (d: 'float16' | 'bfloat16' | 'float80'): exact.Format => exact.FORMATS[d];

/** Bytes per element of any dtype the model knows. */
export function itemsize(d: RDType): number {
  if (isBytes(d)) return Number(d.slice('bytes'.length));
  if (isWideFloat(d)) return formatOf(d).bytes;
  return ITEMSIZE[d];
}

/** VTYPE's name: the seed's full version's vocabulary. */
export function fullVersionName(d: RDType): string {
  if (isBytes(d)) return 'string';
  return { float32: 'float', float64: 'double', float80: 'long_double' }[d as string] ?? d;
}

export const ITEMSIZE: Record<DType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

export const INT_BOUNDS: Record<DType, [bigint, bigint]> = {
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  int16: [-32768n, 32767n],
  uint16: [0n, 65535n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  float32: [0n, 0n],
  float64: [0n, 0n],
};

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/** Names accepted for a dtype (lower case; matching is ASCII case-insensitive). */
export const DTYPE_NAMES: Record<string, DType> = {
  int8: 'int8',
  i8: 'int8',
  uint8: 'uint8',
  u8: 'uint8',
  int16: 'int16',
  i16: 'int16',
  uint16: 'uint16',
  u16: 'uint16',
  int32: 'int32',
  i32: 'int32',
  uint32: 'uint32',
  u32: 'uint32',
  int64: 'int64',
  i64: 'int64',
  uint64: 'uint64',
  u64: 'uint64',
  float32: 'float32',
  f32: 'float32',
  float: 'float32',
  float64: 'float64',
  f64: 'float64',
  double: 'float64',
};

/** The wider dtypes' names (the Redis model's). */
const WIDE_NAMES: Record<string, WideDType> = {
  float16: 'float16',
  f16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  bf16: 'bfloat16',
  float80: 'float80',
  long_double: 'float80',
  longdouble: 'float80',
  float128: 'float80',
};

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';
export const is64 = (d: DType): boolean => d === 'int64' || d === 'uint64';

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => c.toUpperCase());

export function dtypeFromName(name: string): DType | undefined {
  return Object.prototype.hasOwnProperty.call(DTYPE_NAMES, asciiLower(name))
    ? DTYPE_NAMES[asciiLower(name)]
    : undefined;
}

/** A dtype name as the module parses it: a name or alias, or `bytes<N>` / `S<N>`; an
 * error text for a width out of 1..65536; undefined if it names no dtype. */
export function redisDtypeFromName(name: string): RDType | { err: string } | undefined {
  const lower = asciiLower(name);
  const known =
    dtypeFromName(name) ?? (Object.prototype.hasOwnProperty.call(WIDE_NAMES, lower) ? WIDE_NAMES[lower] : undefined);
  if (known) return known;
  const digits = /^(?:bytes|s)([0-9]+)$/.exec(lower)?.[1];
  if (digits === undefined) return undefined;
  const width = BigInt(digits);
  if (digits.startsWith('0') || width < 1n || width > 65536n) {
    const shown = width > 2n ** 64n - 1n ? 2n ** 64n - 1n : width;
    return { err: `ERR bad dtype width ${shown}: bytes<N> takes 1 to 65536 bytes` };
  }
  return `bytes${Number(width)}`;
}

/** One element value: an exact integer, or a double (`neg` keeps the sign of a NaN), or a
 * wider float's bits, or a byte string (without its trailing NULs). */
export type Scalar =
  { t: 'i'; v: bigint } | { t: 'f'; v: number; neg?: boolean } | { t: 'w'; bits: bigint } | { t: 'b'; v: Buffer };

export function decodeAt(dtype: RDType, buf: Buffer, offset: number): Scalar {
  if (isWideFloat(dtype)) return { t: 'w', bits: exact.bitsOf(formatOf(dtype), buf, offset) };
  if (isBytes(dtype)) {
    let end = offset + itemsize(dtype);
    while (end > offset && buf[end - 1] === 0) end--;
    return { t: 'b', v: Buffer.from(buf.subarray(offset, end)) };
  }
  switch (dtype) {
    case 'int8':
      return { t: 'i', v: BigInt(buf.readInt8(offset)) };
    case 'uint8':
      return { t: 'i', v: BigInt(buf.readUInt8(offset)) };
    case 'int16':
      return { t: 'i', v: BigInt(buf.readInt16LE(offset)) };
    case 'uint16':
      return { t: 'i', v: BigInt(buf.readUInt16LE(offset)) };
    case 'int32':
      return { t: 'i', v: BigInt(buf.readInt32LE(offset)) };
    case 'uint32':
      return { t: 'i', v: BigInt(buf.readUInt32LE(offset)) };
    case 'int64':
      return { t: 'i', v: buf.readBigInt64LE(offset) };
    case 'uint64':
      return { t: 'i', v: buf.readBigUInt64LE(offset) };
    case 'float32':
      return { t: 'f', v: buf.readFloatLE(offset), neg: (buf[offset + 3]! & 0x80) !== 0 };
    case 'float64':
      return { t: 'f', v: buf.readDoubleLE(offset), neg: (buf[offset + 7]! & 0x80) !== 0 };
  }
}

/** The bytes of a value the type has already been checked to hold. NaNs are stored as
 * the quiet NaN with the value's sign (what Rust's parse and `as f32` produce on x86-64
 * and aarch64). */
export function encodeScalar(dtype: RDType, s: Scalar): Buffer {
  if (isWideFloat(dtype)) return exact.bytesOf(formatOf(dtype), (s as { bits: bigint }).bits);
  if (isBytes(dtype)) {
    const out = Buffer.alloc(itemsize(dtype));
    (s as { v: Buffer }).v.copy(out);
    return out;
  }
  const out = Buffer.alloc(ITEMSIZE[dtype]);
  if (dtype === 'float64' || dtype === 'float32') {
    const x = s.t === 'i' ? Number(s.v) : (s as { v: number }).v;
    if (Number.isNaN(x)) {
      const neg = s.t === 'f' && s.neg === true;
      if (dtype === 'float64') out.writeBigUInt64LE(neg ? 0xfff8000000000000n : 0x7ff8000000000000n);
      else out.writeUInt32LE(neg ? 0xffc00000 : 0x7fc00000);
    } else if (dtype === 'float64') out.writeDoubleLE(x);
    else out.writeFloatLE(Math.fround(x));
    return out;
  }
  const v = s.t === 'i' ? s.v : BigInt((s as { v: number }).v);
  const size = ITEMSIZE[dtype];
  const bits = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) out[i] = Number((bits >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Rust's `Display` of an f64 through ryu with a trailing `.0` stripped: what the core
 * prints in error messages (`1e39`, `9.223372036854776e18`, `0.1`, `-0`, `nan`). */
export function rustFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const kk = Number(exponent) + 1;
  const k = kk - length;
  let text: string;
  if (k >= 0 && kk <= 16) text = digits + '0'.repeat(k);
  else if (kk > 0 && kk <= 16) text = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > -5 && kk <= 0) text = `0.${'0'.repeat(-kk)}${digits}`;
  else if (length === 1) text = `${digits}e${kk - 1}`;
  else text = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return (neg ? '-' : '') + text;
}

/** The fewest significant digits that identify `x` as a double (or as a float32). */
export function shortestDigits(x: number, f32: boolean): number {
  if (!Number.isFinite(x) || x === 0) return 1;
  if (!f32) return Math.abs(x).toExponential().split('e')[0]!.replace('.', '').length;
  for (let p = 1; p <= 9; p++) if (Math.fround(Number(x.toPrecision(p))) === x) return p;
  return 9;
}

/** Significant digits in a decimal text (`0.0012` → 2, `1e20` → 1, `120` → 2). */
export function significantDigits(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').split(/[eE]/)[0]!.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(1, mantissa.length);
}

const FLOAT_SYNTAX =
  /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF]|[iI][nN][fF][iI][nN][iI][tT][yY]|[nN][aA][nN])$/;

/** A float in Rust's `f64::from_str` syntax: `{ value }`, or `undefined` if not one. */
export function parseRustFloat(buf: Buffer): { v: number; neg: boolean; literalInf: boolean } | undefined {
  if (!isUtf8(buf)) return undefined;
  const text = buf.toString('utf8');
  if (!FLOAT_SYNTAX.test(text)) return undefined;
  const neg = text.startsWith('-');
  const body = asciiLower(text.replace(/^[+-]/, ''));
  if (body === 'nan') return { v: NaN, neg, literalInf: false };
  if (body === 'inf' || body === 'infinity') return { v: neg ? -Infinity : Infinity, neg, literalInf: true };
  return { v: Number(text), neg, literalInf: false };
}

/** Redis's integer syntax (an optional `-`, then digits without a leading zero); the
 * value, unbounded. */
export function redisIntegerText(buf: Buffer): bigint | undefined {
  const text = buf.toString('latin1');
  if (!/^-?(?:0|[1-9][0-9]*)$/.test(text)) return undefined;
  return BigInt(text);
}

/** A signed 64-bit integer argument (`index`, `start`, ...), or undefined. The core parses
 * up to 39 digits into an i128 first, which changes nothing for the result. */
export function i64Arg(buf: Buffer): bigint | undefined {
  const v = redisIntegerText(buf);
  return v !== undefined && v >= I64_MIN && v <= I64_MAX ? v : undefined;
}

const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** A client's value as quoted in a `value '…' is not valid` error: lossy UTF-8, cut at
 * 128 characters followed by `...`. */
export function shownValue(buf: Buffer): string {
  const text = lossy.decode(buf);
  const chars = Array.from(text);
  return chars.length > 128 ? `${chars.slice(0, 128).join('')}...` : text;
}

/** An error as it travels in an error line: CR and LF become spaces, NUL becomes `\0`. */
export function errorLine(message: string): string {
  return message.replace(/[\r\n]/g, ' ').replace(/\0/g, '\\0');
}

// ---------------------------------------------------------------------------------------
// Redis

/** A reply the model expects. `float` matches a bulk string that parses to this value
 * (and is no longer than the shortest round-trip text). */
export type Expect =
  | { t: 'int'; v: bigint }
  | { t: 'bulk'; v: Buffer }
  | { t: 'nil' }
  | { t: 'arr'; v: Expect[] }
  | { t: 'float'; v: number; f32: boolean }
  | { t: 'wide'; format: exact.Format['name']; bits: bigint }
  | { t: 'err'; v: string; alt?: { v: string; finding: string } };

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const NO_SUCH_KEY = 'ERR no such key';
export const NOT_UTF8 = 'ERR argument is not valid UTF-8';
export const SYNTAX = 'ERR syntax error';
export const READ_ONLY = 'ERR vector is read-only';
export const arityError = (command: string): string =>
  `ERR wrong number of arguments for '${command.toLowerCase()}' command`;
export const notInteger = (what: string): string => `ERR ${what} is not an integer or out of range`;
export const outOfRange = (index: bigint | number, len: number): string =>
  `ERR index ${index} is out of range for length ${len}`;
export const badValue = (text: string, dtype: RDType, reason: string): string =>
  errorLine(`ERR value '${text}' is not valid for ${dtype}: ${reason}`);
export const hasReaders = (file: string): string =>
  `ERR ${file} is mapped by a reader: shrinking it now would crash that reader`;
export const lockedError = (file: string): string => `ERR ${file} is locked by another writer`;

/** Findings: documented behaviour the module does not have (see fuzz.redis.test.ts). */

class ModelError extends Error {
  constructor(readonly expect: Expect & { t: 'err' }) {
    super(expect.v);
  }
}

const fail = (v: string, alt?: { v: string; finding: string }): never => {
  throw new ModelError(alt ? { t: 'err', v, alt } : { t: 'err', v });
};

interface VecKey {
  t: 'vec';
  /** The path as recorded (shown by INFO and VFILEPATH). */
  path: string;
  /** The resolved absolute file. */
  file: string;
  dtype: RDType;
  readonly: boolean;
  /** A read-only key's byte length, fixed when it was bound. */
  roBytes: number;
}

type KeyState = { t: 'string' } | VecKey;

/** What a path given to OPEN resolves to under DIR, and how the key records it (a
 * relative path as given; an absolute one as its resolved location relative to DIR). */
export type PathOutcome = { abs: string; recorded: string } | { err: string };

/** The fixture the Redis fuzzer builds in DIR, and what every path it uses resolves to. */
export function redisPathTable(dir: string): Map<string, PathOutcome> {
  const table = new Map<string, PathOutcome>();
  const ok = (given: string, rel: string): void =>
    void table.set(Buffer.from(given).toString('hex'), {
      abs: `${dir}/${rel}`,
      recorded: given.startsWith('/') ? rel : given,
    });
  const bad = (given: string | Buffer, err: string): void =>
    void table.set(Buffer.from(given).toString('hex'), { err });
  for (let i = 0; i < REDIS_DTYPES.length; i++) ok(`f${i}.bin`, `f${i}.bin`);
  ok('./f0.bin', 'f0.bin');
  ok('sub/../f1.bin', 'f1.bin');
  ok(`${dir}/f2.bin`, 'f2.bin');
  ok(`${dir}/sub/../f1.bin`, 'f1.bin');
  ok(`${dir}/lnk`, 'f3.bin');
  ok('sub/f10.bin', 'sub/f10.bin');
  ok('lnk', 'f3.bin');
  ok('ghost.bin', 'ghost.bin');
  ok('sub', 'sub'); // resolves; opening it fails (not a regular file)
  bad('', "ERR bad path '': empty path");
  bad('.', "ERR bad path '.': does not name a file");
  bad('sub/', "ERR bad path 'sub/': does not name a file");
  bad('sub/..', "ERR bad path 'sub/..': does not name a file");
  bad('../out.bin', 'ERR path ../out.bin is outside the allowed directory');
  bad('/etc/passwd', 'ERR path /etc/passwd is outside the allowed directory');
  bad('nodir/x.bin', `ERR no such file or directory: ${dir}/nodir`);
  bad('a\0b', "ERR bad path 'a\\0b': contains a NUL byte");
  bad('away', 'ERR path away is outside the allowed directory');
  bad('loop', "ERR bad path 'loop': too many levels of symbolic links");
  bad(Buffer.from([0x66, 0xff, 0x2e]), NOT_UTF8);
  return table;
}

/** The paths of redisPathTable, as the generator picks them. */
export function redisPaths(dir: string): Buffer[] {
  return [...redisPathTable(dir).keys()].map((hex) => Buffer.from(hex, 'hex'));
}

export class RedisModel {
  readonly files = new Map<string, Buffer>();
  readonly keys = new Map<string, KeyState>();
  readonly paths: Map<string, PathOutcome>;
  /** Known deviations seen, by finding id. */
  readonly deviations = new Map<string, number>();

  /**
   * `serverVadd`: the server has a `VADD` of its own (Redis 8's vector sets). The module's
   * command filter then routes only `VADD key value …` to MMVEC.ADD; a `VADD` with nothing
   * after the key is the server's to answer.
   */
  constructor(
    readonly dir: string,
    readonly serverVadd = false,
  ) {
    this.paths = redisPathTable(dir);
  }

  clone(): RedisModel {
    const copy = new RedisModel(this.dir, this.serverVadd);
    for (const [k, v] of this.files) copy.files.set(k, Buffer.from(v));
    for (const [k, v] of this.keys) copy.keys.set(k, { ...v });
    return copy;
  }

  vecKey(name: string): VecKey | undefined {
    const key = this.keys.get(name);
    return key?.t === 'vec' ? key : undefined;
  }

  /** The element count a key answers with. */
  count(key: VecKey): number {
    const bytes = key.readonly ? key.roBytes : (this.files.get(key.file)?.length ?? 0);
    return bytes / itemsize(key.dtype);
  }

  private readers(file: string): number {
    let n = 0;
    for (const key of this.keys.values()) if (key.t === 'vec' && key.readonly && key.file === file) n++;
    return n;
  }

  private writer(file: string): VecKey | undefined {
    for (const key of this.keys.values()) if (key.t === 'vec' && !key.readonly && key.file === file) return key;
    return undefined;
  }

  private element(key: VecKey, index: number): Scalar {
    return decodeAt(key.dtype, this.files.get(key.file)!, index * itemsize(key.dtype));
  }

  private valueReply(dtype: RDType, s: Scalar): Expect {
    if (s.t === 'w' && isWideFloat(dtype)) return { t: 'wide', format: dtype, bits: s.bits };
    if (s.t === 'b') return { t: 'bulk', v: s.v };
    if (s.t === 'w') throw new Error(`bits of ${dtype}`);
    if (s.t === 'f') return { t: 'float', v: dtype === 'float32' ? Math.fround(s.v) : s.v, f32: dtype === 'float32' };
    if (s.v > I64_MAX) return { t: 'bulk', v: Buffer.from(s.v.toString()) };
    return { t: 'int', v: s.v };
  }

  /** `DType::parse`: a value given as text, checked for the type (throws the error). */
  private parseValue(dtype: RDType, buf: Buffer): Scalar {
    const shown = shownValue(buf);
    if (isBytes(dtype)) {
      if (buf.length > itemsize(dtype))
        fail(badValue(shown, dtype, `${buf.length} bytes is longer than ${itemsize(dtype)}`));
      return { t: 'b', v: buf };
    }
    if (isWideFloat(dtype)) {
      // Rust's syntax, then one rounding from the exact decimal (NaN is the positive quiet NaN).
      const parsed = parseRustFloat(buf);
      if (!parsed) fail(badValue(shown, dtype, 'not a number'));
      const bits = exact.round(formatOf(dtype), exact.decimal(buf.toString('utf8')));
      if (bits === 'overflow') fail(badValue(shown, dtype, 'out of range'));
      return { t: 'w', bits: bits as bigint };
    }
    if (isFloat(dtype)) {
      const parsed = parseRustFloat(buf);
      if (!parsed) fail(badValue(shown, dtype, 'not a number'));
      if (!Number.isFinite(parsed!.v) && !Number.isNaN(parsed!.v) && !parsed!.literalInf)
        fail(badValue(shown, dtype, 'out of range'));
      const v = parsed!.v;
      if (dtype === 'float32' && Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
        fail(badValue(shown, dtype, 'out of range'));
      }
      return { t: 'f', v, neg: parsed!.neg };
    }
    const v = redisIntegerText(buf);
    if (v === undefined) fail(badValue(shown, dtype, 'not an integer'));
    const [min, max] = INT_BOUNDS[dtype as DType];
    if (v! < min || v! > max) fail(badValue(shown, dtype, 'out of range'));
    return { t: 'i', v: v! };
  }

  /** The reply to one command, applying its effect to the model. */
  apply(args: Buffer[]): Expect {
    try {
      return this.run(args);
    } catch (error) {
      if (error instanceof ModelError) return error.expect;
      throw error;
    }
  }

  private run(args: Buffer[]): Expect {
    const called = args[0]!.toString('latin1');
    const name = asciiUpper(called);
    const argc = args.length;
    const arity = (ok: boolean): void => {
      if (!ok) fail(arityError(called));
    };
    if (name === 'VADD' && this.serverVadd && argc < 3) fail("ERR wrong number of arguments for 'VADD' command");
    switch (name) {
      case 'DEL': {
        let n = 0;
        for (const k of args.slice(1)) if (this.keys.delete(k.toString('latin1'))) n++;
        return { t: 'int', v: BigInt(n) };
      }
      case 'SET': // plain Redis SET key value (the fuzzer sends it well formed)
        this.keys.set(args[1]!.toString('latin1'), { t: 'string' });
        return { t: 'bulk', v: Buffer.from('OK') };
      case 'MMVEC.OPEN':
        arity(argc >= 3);
        return this.bind(args, this.parseOptions(args));
      case 'MMAP': {
        arity(argc >= 3);
        const first = argc > 3 && isUtf8(args[3]!) ? asciiUpper(args[3]!.toString('utf8')) : '';
        const request =
          argc === 3 || first === 'TYPE' || first === 'READONLY'
            ? this.parseOptions(args)
            : this.parseSeedForm(args, called);
        return this.bind(args, request);
      }
      case 'MMVEC.GET':
      case 'VGET': {
        arity(argc === 3);
        const index = this.integer(args[2]!, 'index');
        const key = this.readKey(args[1]!);
        if (!key) return { t: 'nil' };
        return index >= 0n && index < BigInt(this.count(key))
          ? this.valueReply(key.dtype, this.element(key, Number(index)))
          : { t: 'nil' };
      }
      case 'MMVEC.MGET':
      case 'VMGET': {
        arity(argc >= 3);
        const indices = args.slice(2).map((a) => this.integer(a, 'index'));
        const key = this.readKey(args[1]!);
        return {
          t: 'arr',
          v: indices.map((i) =>
            key && i >= 0n && i < BigInt(this.count(key))
              ? this.valueReply(key.dtype, this.element(key, Number(i)))
              : { t: 'nil' },
          ),
        };
      }
      case 'MMVEC.COUNT':
      case 'VCOUNT': {
        arity(argc === 2);
        const key = this.readKey(args[1]!);
        return { t: 'int', v: BigInt(key ? this.count(key) : 0) };
      }
      case 'MMVEC.RANGE': {
        arity(argc === 4);
        const start = this.integer(args[2]!, 'start');
        const stop = this.integer(args[3]!, 'stop');
        return this.range(args[1]!, start, stop);
      }
      case 'VALL':
        arity(argc === 2);
        return this.range(args[1]!, 0n, -1n);
      case 'MMVEC.INFO': {
        arity(argc === 2);
        const key = this.readKey(args[1]!);
        if (!key) return { t: 'nil' };
        const bulk = (s: string): Expect => ({ t: 'bulk', v: Buffer.from(s) });
        const count = this.count(key);
        return {
          t: 'arr',
          v: [
            bulk('path'),
            bulk(key.path),
            bulk('file'),
            bulk(key.file),
            bulk('dtype'),
            bulk(key.dtype),
            bulk('itemsize'),
            { t: 'int', v: BigInt(itemsize(key.dtype)) },
            bulk('count'),
            { t: 'int', v: BigInt(count) },
            bulk('bytes'),
            { t: 'int', v: BigInt(count * itemsize(key.dtype)) },
            bulk('mode'),
            bulk(key.readonly ? 'read-only' : 'read-write'),
            bulk('backing'),
            bulk('mapped'),
            bulk('format'),
            bulk('raw'),
          ],
        };
      }
      case 'VTYPE':
      case 'VSIZE':
      case 'VFILEPATH': {
        arity(argc === 2);
        const key = this.readKey(args[1]!);
        if (!key) return { t: 'nil' };
        if (name === 'VSIZE') return { t: 'int', v: BigInt(itemsize(key.dtype)) };
        return { t: 'bulk', v: Buffer.from(name === 'VTYPE' ? fullVersionName(key.dtype) : key.path) };
      }
      case 'MMVEC.SYNC': {
        arity(argc === 2);
        this.writeKey(args[1]!, false);
        return { t: 'bulk', v: Buffer.from('OK') };
      }
      case 'MMVEC.SET':
      case 'VSET': {
        arity(argc >= 4 && argc % 2 === 0);
        const key = this.writeKey(args[1]!);
        const len = this.count(key);
        const pairs: [bigint, Scalar][] = [];
        for (let i = 2; i < argc; i += 2) {
          const index = this.integer(args[i]!, 'index');
          if (index < 0n) fail(outOfRange(index, len));
          pairs.push([index, this.parseValue(key.dtype, args[i + 1]!)]);
        }
        if (key.readonly) fail(READ_ONLY);
        for (const [index] of pairs) if (index >= BigInt(len)) fail(outOfRange(index, len));
        const file = this.files.get(key.file)!;
        for (const [index, value] of pairs)
          encodeScalar(key.dtype, value).copy(file, Number(index) * itemsize(key.dtype));
        return { t: 'int', v: BigInt(pairs.length) };
      }
      case 'MMVEC.ADD':
      case 'VADD': {
        arity(argc >= 3);
        const key = this.writeKey(args[1]!);
        const values = args.slice(2).map((a) => this.parseValue(key.dtype, a));
        if (key.readonly) fail(READ_ONLY);
        this.append(key, Buffer.concat(values.map((v) => encodeScalar(key.dtype, v))));
        return { t: 'int', v: BigInt(values.length) };
      }
      case 'MMVEC.POP':
      case 'VPOP': {
        arity(argc === 2);
        const key = this.writeKey(args[1]!, true);
        if (!key) return { t: 'nil' };
        if (key.readonly) fail(READ_ONLY);
        const len = this.count(key);
        if (len === 0) return { t: 'nil' };
        const value = this.element(key, len - 1);
        if (this.readers(key.file) > 0) fail(hasReaders(key.file));
        this.files.set(key.file, this.files.get(key.file)!.subarray(0, (len - 1) * itemsize(key.dtype)));
        return this.valueReply(key.dtype, value);
      }
      case 'MMVEC.CLEAR':
      case 'VCLEAR': {
        arity(argc === 2);
        const key = this.writeKey(args[1]!, true);
        if (!key) return { t: 'int', v: 0n };
        if (key.readonly) fail(READ_ONLY);
        const len = this.count(key);
        if (len > 0 && this.readers(key.file) > 0) fail(hasReaders(key.file));
        this.files.set(key.file, Buffer.alloc(0));
        return { t: 'int', v: BigInt(len) };
      }
      case 'MMVEC.INCRBY': {
        arity(argc === 4);
        const key = this.writeKey(args[1]!);
        const len = this.count(key);
        const index = this.integer(args[2]!, 'index');
        if (index < 0n) fail(outOfRange(index, len));
        const delta = this.parseDelta(key.dtype, args[3]!);
        if (key.readonly) fail(READ_ONLY);
        if (index >= BigInt(len)) fail(outOfRange(index, len));
        const current = this.element(key, Number(index));
        let sum: Scalar;
        if (key.dtype === 'float80') {
          // Both widened to float80, added exactly, rounded once.
          const format = formatOf(key.dtype);
          const a = exact.value(format, (current as { bits: bigint }).bits);
          const b = exact.decimal(args[3]!.toString('utf8'));
          const notFinite = (text: string) => fail(badValue(text, 'float80', 'increment would not be finite'));
          if (a.k === 'nan') notFinite('nan');
          if (a.k === 'inf') notFinite(a.neg ? '-inf' : 'inf');
          const total = exact.add(a as Exact & { k: 'num' }, b as Exact & { k: 'num' });
          const bits = exact.round(format, total);
          if (bits === 'overflow') notFinite(total.neg ? '-inf' : 'inf');
          sum = { t: 'w', bits: bits as bigint };
        } else if (isWideFloat(key.dtype)) {
          // The sum of the element and the delta as doubles, then rounded to the type.
          const format = formatOf(key.dtype);
          const total =
            exact.toDouble(exact.value(format, (current as { bits: bigint }).bits)) + (delta as { v: number }).v;
          if (!Number.isFinite(total)) fail(badValue(rustFloat(total), key.dtype, 'increment would not be finite'));
          const bits = exact.round(format, exact.ofDouble(total));
          if (bits === 'overflow') fail(badValue(rustFloat(total), key.dtype, 'out of range'));
          sum = { t: 'w', bits: bits as bigint };
        } else if (isFloat(key.dtype as DType)) {
          const total = (current as { v: number }).v + (delta as { v: number }).v;
          if (!Number.isFinite(total)) fail(badValue(rustFloat(total), key.dtype, 'increment would not be finite'));
          if (key.dtype === 'float32' && !Number.isFinite(Math.fround(total)))
            fail(badValue(rustFloat(total), key.dtype, 'out of range'));
          sum = { t: 'f', v: key.dtype === 'float32' ? Math.fround(total) : total };
        } else {
          const total = (current as { v: bigint }).v + (delta as { v: bigint }).v;
          const [min, max] = INT_BOUNDS[key.dtype as DType];
          if (total < min || total > max) fail(badValue(total.toString(), key.dtype, 'out of range'));
          sum = { t: 'i', v: total };
        }
        encodeScalar(key.dtype, sum).copy(this.files.get(key.file)!, Number(index) * itemsize(key.dtype));
        return this.valueReply(key.dtype, sum);
      }
      case 'MMVEC.GETBLOB': {
        arity(argc === 4);
        const start = this.nonNegative(args[2]!, 'start');
        const count = this.nonNegative(args[3]!, 'count');
        const key = this.readKey(args[1]!);
        if (!key) return { t: 'nil' };
        const len = BigInt(this.count(key));
        const from = start < len ? start : len;
        const to = from + count < len ? from + count : len;
        const size = itemsize(key.dtype);
        return {
          t: 'bulk',
          v: Buffer.from(this.files.get(key.file)!.subarray(Number(from) * size, Number(to) * size)),
        };
      }
      case 'MMVEC.SETBLOB': {
        arity(argc === 4);
        const start = this.nonNegative(args[2]!, 'start');
        const blob = args[3]!;
        const key = this.writeKey(args[1]!);
        if (key.readonly) fail(READ_ONLY);
        const size = itemsize(key.dtype);
        if (blob.length % size !== 0)
          fail(`ERR ${blob.length} bytes is not a whole number of ${key.dtype} elements (${size} bytes each)`);
        const len = this.count(key);
        if (start > BigInt(len)) fail(outOfRange(start, len));
        const file = this.files.get(key.file)!;
        const at = Number(start) * size;
        const grown = Buffer.alloc(Math.max(file.length, at + blob.length));
        file.copy(grown);
        blob.copy(grown, at);
        this.files.set(key.file, grown);
        return { t: 'int', v: BigInt(blob.length / size) };
      }
      case 'MMVEC.ADDBLOB': {
        arity(argc === 3);
        const blob = args[2]!;
        const key = this.writeKey(args[1]!);
        if (key.readonly) fail(READ_ONLY);
        const size = itemsize(key.dtype);
        if (blob.length % size !== 0)
          fail(`ERR ${blob.length} bytes is not a whole number of ${key.dtype} elements (${size} bytes each)`);
        this.append(key, blob);
        return { t: 'int', v: BigInt(blob.length / size) };
      }
      default:
        throw new Error(`the model does not know ${called}`);
    }
  }

  private append(key: VecKey, bytes: Buffer): void {
    this.files.set(key.file, Buffer.concat([this.files.get(key.file)!, bytes]));
  }

  private integer(buf: Buffer, what: string): bigint {
    const v = i64Arg(buf);
    if (v === undefined) fail(notInteger(what));
    return v!;
  }

  private nonNegative(buf: Buffer, what: string): bigint {
    const v = this.integer(buf, what);
    if (v < 0n) fail(`ERR ${what} must not be negative`);
    return v;
  }

  private parseDelta(dtype: RDType, buf: Buffer): Scalar {
    const shown = shownValue(buf);
    if (isBytes(dtype)) fail(badValue(shown, dtype, 'a byte string has no increment'));
    if (dtype === 'float80') {
      const parsed = parseRustFloat(buf);
      if (!parsed) fail(badValue(shown, dtype, 'not a number'));
      const value = exact.decimal(buf.toString('utf8'));
      if (value.k === 'num' && exact.round(formatOf(dtype), value) === 'overflow')
        fail(badValue(shown, dtype, 'out of range'));
      if (value.k !== 'num') fail(badValue(shown, dtype, 'not a finite increment'));
      return { t: 'f', v: 0 };
    }
    if (isWideFloat(dtype) || isFloat(dtype as DType)) {
      const parsed = parseRustFloat(buf);
      if (!parsed) fail(badValue(shown, dtype, 'not a number'));
      if (!Number.isNaN(parsed!.v) && !Number.isFinite(parsed!.v) && !parsed!.literalInf)
        fail(badValue(shown, dtype, 'out of range'));
      if (!Number.isFinite(parsed!.v)) fail(badValue(shown, dtype, 'not a finite increment'));
      return { t: 'f', v: parsed!.v };
    }
    const v = i64Arg(buf);
    if (v === undefined) fail(badValue(shown, dtype, 'not an integer increment'));
    return { t: 'i', v: v! };
  }

  /** A key opened for reading: undefined if missing; WRONGTYPE for other types. */
  private readKey(name: Buffer): VecKey | undefined {
    const key = this.keys.get(name.toString('latin1'));
    if (!key) return undefined;
    if (key.t !== 'vec') fail(WRONGTYPE);
    return key as VecKey;
  }

  /** A key a write needs: `ERR no such key` if missing (unless `optional`). */
  private writeKey(name: Buffer, optional?: false): VecKey;
  private writeKey(name: Buffer, optional: true): VecKey | undefined;
  private writeKey(name: Buffer, optional = false): VecKey | undefined {
    const key = this.readKey(name);
    if (!key && !optional) fail(NO_SUCH_KEY);
    return key;
  }

  private range(name: Buffer, start: bigint, stop: bigint): Expect {
    const key = this.readKey(name);
    if (!key) return { t: 'arr', v: [] };
    const len = BigInt(this.count(key));
    let from = start < 0n ? len + start : start;
    let to = stop < 0n ? len + stop : stop;
    if (from < 0n) from = 0n;
    if (to > len - 1n) to = len - 1n;
    const out: Expect[] = [];
    for (let i = from; i <= to; i++) out.push(this.valueReply(key.dtype, this.element(key, Number(i))));
    return { t: 'arr', v: out };
  }

  private text(buf: Buffer): string {
    if (!isUtf8(buf)) fail(NOT_UTF8);
    return buf.toString('utf8');
  }

  private parseOptions(args: Buffer[]): OpenRequest {
    const path = this.text(args[2]!);
    const request: OpenRequest = { path, dtype: 'float64', readonly: false, explicitType: false, explicitMode: false };
    let i = 3;
    while (i < args.length) {
      const option = asciiUpper(this.text(args[i]!));
      if (option === 'TYPE' && !request.explicitType && i + 1 < args.length) {
        const name = this.text(args[i + 1]!);
        const dtype = redisDtypeFromName(name);
        if (!dtype) fail(errorLine(`ERR unknown dtype '${name}' (expected one of ${DTYPE_LIST})`));
        if (typeof dtype === 'object') fail(dtype.err);
        request.dtype = dtype as RDType;
        request.explicitType = true;
        i += 2;
      } else if (option === 'READONLY' && !request.explicitMode) {
        request.readonly = true;
        request.explicitMode = true;
        i += 1;
      } else {
        fail(SYNTAX);
      }
    }
    return request;
  }

  private parseSeedForm(args: Buffer[], called: string): OpenRequest {
    if (args.length > 6) fail(arityError(called));
    const path = this.text(args[2]!);
    const name = this.text(args[3]!);
    // `string` takes its width from the size; any other type is known first.
    const sized = asciiLower(name) === 'string';
    const named = sized ? undefined : redisDtypeFromName(name);
    if (!sized && !named) fail(errorLine(`ERR unknown dtype '${name}' (expected one of ${DTYPE_LIST})`));
    if (typeof named === 'object') fail(named.err);
    const dtype = named as RDType | undefined;
    let writable = false;
    let size: bigint | undefined;
    for (let i = 4; i < args.length; i++) {
      const word = this.text(args[i]!);
      if (asciiLower(word) === 'writable' && !writable) writable = true;
      else if (size === undefined) {
        size = this.integer(args[i]!, 'value_size');
        if (dtype && size !== BigInt(itemsize(dtype)))
          fail(`ERR value_size ${size} does not match ${dtype}, whose itemsize is ${itemsize(dtype)}`);
      } else fail(SYNTAX);
    }
    let bound = dtype;
    if (!bound) {
      if (size === undefined) fail(`ERR dtype '${name}' needs a value size (its width in bytes)`);
      if (size! < 0n) fail(`ERR value_size ${size} is not a width of 1 to 65536 bytes`);
      if (size! < 1n || size! > 65536n) fail(`ERR bad dtype width ${size}: bytes<N> takes 1 to 65536 bytes`);
      bound = `bytes${Number(size)}`;
    }
    return { path, dtype: bound, readonly: !writable, explicitType: true, explicitMode: true };
  }

  private resolve(path: string): string {
    return this.outcome(path).abs;
  }

  private outcome(path: string): { abs: string; recorded: string } {
    const outcome = this.paths.get(Buffer.from(path).toString('hex'));
    if (!outcome) throw new Error(`the model has no path ${JSON.stringify(path)}`);
    if ('err' in outcome) fail(outcome.err);
    return outcome as { abs: string; recorded: string };
  }

  private bind(args: Buffer[], request: OpenRequest): Expect {
    // An absolute path is resolved first, to be recorded relative to DIR, so its errors
    // come before the key is looked at (the docs do not order them; this is the code's).
    if (request.path.startsWith('/')) this.outcome(request.path);
    const name = args[1]!.toString('latin1');
    const existing = this.keys.get(name);
    if (existing && existing.t !== 'vec') fail(WRONGTYPE);
    if (existing?.t === 'vec') {
      const current = this.resolve(existing.path);
      const wanted = this.resolve(request.path);
      if (current !== wanted) fail('ERR key is already mapped to another file');
      if (request.explicitType && existing.dtype !== request.dtype)
        fail(`ERR key is already mapped as ${existing.dtype}`);
      if (request.explicitMode && existing.readonly !== request.readonly) {
        fail(`ERR key is already mapped ${existing.readonly ? 'read-only' : 'read-write'}`);
      }
      return { t: 'int', v: BigInt(this.count(existing)) };
    }
    const { abs: file, recorded } = this.outcome(request.path);
    if (file === `${this.dir}/sub`) fail(`ERR not a regular file: ${file}`);
    let bytes = this.files.get(file);
    if (!bytes && request.readonly) fail(`ERR no such file or directory: ${file}`);
    if (!request.readonly && this.writer(file)) fail(lockedError(file));
    const size = bytes?.length ?? 0;
    if (size % itemsize(request.dtype) !== 0) {
      fail(`ERR size of ${file} is ${size} bytes, not a multiple of ${itemsize(request.dtype)} (${request.dtype})`);
    }
    if (!bytes) {
      bytes = Buffer.alloc(0);
      this.files.set(file, bytes);
    }
    const key: VecKey = {
      t: 'vec',
      path: recorded,
      file,
      dtype: request.dtype,
      readonly: request.readonly,
      roBytes: size,
    };
    this.keys.set(name, key);
    return { t: 'int', v: BigInt(this.count(key)) };
  }
}

interface OpenRequest {
  path: string;
  dtype: RDType;
  readonly: boolean;
  explicitType: boolean;
  explicitMode: boolean;
}

// ---------------------------------------------------------------------------------------
// The Node addon

/** A value passed to MmapVector: numbers and bigints, or something of the wrong type. */
export type JsValue = number | bigint | string | boolean | null | undefined | object;

/** What a call should do: return this, or throw an error with this code and message. */
export type AddonExpect =
  { ok: unknown; check?: 'typed'; array?: string } | { err: { code: string; message: string; type?: 'TypeError' } };

export interface AddonHandle {
  file: string;
  dtype: DType;
  mode: 'r' | 'r+' | 'w+' | 'a';
  /** A reader's byte length, fixed at open. */
  roBytes: number;
  closed: boolean;
  /** Views handed out, with the element count each covers; `detached` once revoked. */
  views: { id: number; length: number; state: 'live' | 'detached' | 'unknown' }[];
  /** The length when the newest view was taken (a newer view() revokes it if it changed). */
  viewLength: number | undefined;
}

const typedArrayName: Record<DType, string> = {
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  int16: 'Int16Array',
  uint16: 'Uint16Array',
  int32: 'Int32Array',
  uint32: 'Uint32Array',
  int64: 'BigInt64Array',
  uint64: 'BigUint64Array',
  float32: 'Float32Array',
  float64: 'Float64Array',
};

export class AddonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly typeError = false,
  ) {
    super(message);
  }
}

const addonFail = (code: string, message: string): never => {
  throw new AddonError(code, message);
};

/** `The "<name>" argument must be <expected>. Received <...>` as src/errors.ts writes it. */
export function argTypeError(name: string, expected: string, actual: unknown): AddonError {
  const shown = actual === null ? 'null' : Array.isArray(actual) ? 'an array' : `type ${typeof actual}`;
  return new AddonError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}. Received ${shown}`, true);
}

function checkNumberArg(name: string, value: unknown): void {
  if (typeof value !== 'number') throw argTypeError(name, 'of type number', value);
}

function checkValueArg(name: string, value: unknown): void {
  if (typeof value !== 'number' && typeof value !== 'bigint')
    throw argTypeError(name, 'of type number or bigint', value);
}

function checkArrayArg(name: string, value: unknown): void {
  const ok = value !== null && typeof value === 'object' && typeof (value as ArrayLike<unknown>).length === 'number';
  if (!ok) throw argTypeError(name, 'an array or typed array', value);
}

/** `index_from_f64`: a whole, non-negative, safe integer. */
function jsIndex(value: number): number {
  if (Number.isFinite(value) && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER)
    return value === 0 ? 0 : value;
  return addonFail('ERR_MMVEC_BAD_INDEX', `index ${rustFloat(value)} is not a non-negative safe integer`);
}

/** A JS value converted for a dtype (`to_scalar` then `encode`): its bytes, or the error. */
export function jsValueBytes(dtype: DType, value: number | bigint): Buffer {
  const bad = (text: string, reason: string): never =>
    addonFail('ERR_MMVEC_BAD_VALUE', `value '${text}' is not valid for ${dtype}: ${reason}`);
  if (typeof value === 'bigint') {
    if (value < I64_MIN || value > U64_MAX) bad(value.toString(), 'out of range');
    if (isFloat(dtype)) {
      const wide = Number(value);
      const stored = dtype === 'float32' ? Math.fround(wide) : wide;
      // float32 cannot overflow from a 64-bit integer; the stored value must be exact.
      if (BigInt(stored) !== value) bad(value.toString(), 'not exactly representable');
      return encodeScalar(dtype, { t: 'f', v: stored });
    }
    const [min, max] = INT_BOUNDS[dtype];
    if (value < min || value > max) bad(value.toString(), 'out of range');
    return encodeScalar(dtype, { t: 'i', v: value });
  }
  if (dtype === 'float64') return encodeScalar(dtype, { t: 'f', v: value });
  if (dtype === 'float32') {
    if (Number.isFinite(value) && !Number.isFinite(Math.fround(value))) bad(rustFloat(value), 'out of range');
    return encodeScalar(dtype, { t: 'f', v: value });
  }
  if (!Number.isFinite(value) || !Number.isInteger(value)) bad(rustFloat(value), 'not an integer');
  const [min, max] = INT_BOUNDS[dtype];
  // Beyond 2^127 the core saturates; the range check refuses it all the same.
  const big = BigInt(value);
  if (big < min || big > max) bad(rustFloat(value), 'out of range');
  return encodeScalar(dtype, { t: 'i', v: big });
}

/** The JS value of an element: bigint for 64-bit integers, number otherwise. */
export function jsElement(dtype: DType, bytes: Buffer, offset: number): number | bigint {
  const s = decodeAt(dtype, bytes, offset) as { t: 'i'; v: bigint } | { t: 'f'; v: number };
  if (s.t === 'f') return s.v;
  return is64(dtype) ? s.v : Number(s.v);
}

/** Every operation the addon fuzzer performs, as data (so a failing run prints it). */
export type AddonOp =
  | { op: 'open'; slot: number; file: number; dtype: string; mode: string }
  | { op: 'close'; slot: number }
  | { op: 'length'; slot: number }
  | { op: 'get'; slot: number; index: JsValue }
  | { op: 'getMany'; slot: number; indices: JsValue }
  | { op: 'slice'; slot: number; start?: number; end?: number }
  | { op: 'set'; slot: number; index: JsValue; value: JsValue }
  | { op: 'setMany'; slot: number; indices: JsValue; values: JsValue }
  | { op: 'push'; slot: number; values: JsValue[] }
  | { op: 'pushArray'; slot: number; kind: string; values: JsValue[] }
  | { op: 'pop'; slot: number }
  | { op: 'clear'; slot: number }
  | { op: 'view'; slot: number }
  | { op: 'readViews'; slot: number }
  | { op: 'writeView'; slot: number; index: number; value: number | bigint }
  | { op: 'iterate'; slot: number }
  | { op: 'flush'; slot: number };

export const ADDON_FILES = 4;

/** The model of a set of MmapVector handles (slots) on a few files. */
export class AddonModel {
  /** File contents by file number; `undefined` while the file does not exist. */
  readonly files: (Buffer | undefined)[] = new Array(ADDON_FILES).fill(undefined);
  readonly handles = new Map<number, AddonHandle>();
  private nextView = 1;

  constructor(readonly dir: string) {}

  /** Files 0..3 are vector files; then a directory, a path in a missing directory, and
   * a path with a NUL byte. */
  filePath(file: number): string {
    if (file < ADDON_FILES) return `${this.dir}/f${file}.bin`;
    return [`${this.dir}/sub`, `${this.dir}/nodir/x.bin`, `${this.dir}/f\0.bin`][file - ADDON_FILES]!;
  }

  /** The element count a handle reports. */
  length(h: AddonHandle): number {
    const bytes = h.mode === 'r' ? h.roBytes : (this.files[this.fileIndex(h)]?.length ?? 0);
    return bytes / ITEMSIZE[h.dtype];
  }

  fileIndex(h: AddonHandle): number {
    return Number(/f(\d+)\.bin$/.exec(h.file)![1]);
  }

  bytes(h: AddonHandle): Buffer {
    return this.files[this.fileIndex(h)]!;
  }

  /** The values a handle holds, as JS values. */
  values(h: AddonHandle): (number | bigint)[] {
    const out: (number | bigint)[] = [];
    const size = ITEMSIZE[h.dtype];
    for (let i = 0; i < this.length(h); i++) out.push(jsElement(h.dtype, this.bytes(h), i * size));
    return out;
  }

  private open(h: AddonHandle): AddonHandle {
    if (h.closed) addonFail('ERR_MMVEC_CLOSED', 'vector is closed');
    return h;
  }

  private writable(h: AddonHandle): void {
    if (h.mode === 'r') addonFail('ERR_MMVEC_READ_ONLY', 'vector is read-only');
  }

  private readers(file: string, except?: AddonHandle): number {
    let n = 0;
    for (const h of this.handles.values()) if (h !== except && !h.closed && h.mode === 'r' && h.file === file) n++;
    return n;
  }

  private writer(file: string): AddonHandle | undefined {
    for (const h of this.handles.values()) if (!h.closed && h.mode !== 'r' && h.file === file) return h;
    return undefined;
  }

  private detachViews(h: AddonHandle, state: 'detached' | 'unknown'): void {
    for (const v of h.views) if (v.state === 'live') v.state = state;
    h.viewLength = undefined;
  }

  /** The result of an operation, applied to the model. `view` results carry the new
   * view's id so the driver can track the typed array it got. */
  apply(op: AddonOp): AddonExpect {
    try {
      return { ok: this.run(op) };
    } catch (error) {
      if (error instanceof AddonError) {
        return {
          err: { code: error.code, message: error.message, ...(error.typeError ? { type: 'TypeError' as const } : {}) },
        };
      }
      throw error;
    }
  }

  private run(op: AddonOp): unknown {
    if (op.op === 'open') return this.openOp(op);
    const h = this.handles.get(op.slot);
    if (!h) throw new Error(`slot ${op.slot} was never opened`);
    const size = ITEMSIZE[h.dtype];
    switch (op.op) {
      case 'close':
        if (!h.closed) this.detachViews(h, 'detached');
        h.closed = true;
        return undefined;
      case 'length':
        this.open(h);
        return this.length(h);
      case 'get': {
        checkNumberArg('index', op.index);
        this.open(h);
        const index = jsIndex(op.index as number);
        if (index >= this.length(h))
          addonFail('ERR_MMVEC_OUT_OF_RANGE', `index ${index} is out of range for length ${this.length(h)}`);
        return jsElement(h.dtype, this.bytes(h), index * size);
      }
      case 'getMany': {
        checkArrayArg('indices', op.indices);
        const list = Array.from(op.indices as ArrayLike<unknown>);
        list.forEach((v, k) => checkNumberArg(`indices[${k}]`, v));
        this.open(h);
        const indices = list.map((v) => jsIndex(v as number));
        const len = this.length(h);
        for (const i of indices)
          if (i >= len) addonFail('ERR_MMVEC_OUT_OF_RANGE', `index ${i} is out of range for length ${len}`);
        return {
          typed: typedArrayName[h.dtype],
          values: indices.map((i) => jsElement(h.dtype, this.bytes(h), i * size)),
        };
      }
      case 'slice': {
        this.open(h);
        return { typed: typedArrayName[h.dtype], values: this.values(h).slice(op.start, op.end) };
      }
      case 'set': {
        checkNumberArg('index', op.index);
        checkValueArg('value', op.value);
        this.open(h);
        const index = jsIndex(op.index as number);
        if (typeof op.value === 'bigint' && (op.value < I64_MIN || op.value > U64_MAX)) jsValueBytes(h.dtype, op.value);
        this.writable(h);
        if (index >= this.length(h))
          addonFail('ERR_MMVEC_OUT_OF_RANGE', `index ${index} is out of range for length ${this.length(h)}`);
        jsValueBytes(h.dtype, op.value as number | bigint).copy(this.bytes(h), index * size);
        return undefined;
      }
      case 'setMany': {
        checkArrayArg('indices', op.indices);
        const indices = Array.from(op.indices as ArrayLike<unknown>);
        indices.forEach((v, k) => checkNumberArg(`indices[${k}]`, v));
        checkArrayArg('values', op.values);
        const values = Array.from(op.values as ArrayLike<unknown>);
        values.forEach((v, k) => checkValueArg(`values[${k}]`, v));
        if (indices.length !== values.length)
          addonFail('ERR_MMVEC_LENGTH_MISMATCH', `${indices.length} indices but ${values.length} values`);
        this.open(h);
        // Native order: each pair's index, then its bigint range; then writability; then
        // per pair the bounds and the value.
        const positions = indices.map((v, k) => {
          const index = jsIndex(v as number);
          const value = values[k] as number | bigint;
          if (typeof value === 'bigint' && (value < I64_MIN || value > U64_MAX)) jsValueBytes(h.dtype, value);
          return index;
        });
        this.writable(h);
        const len = this.length(h);
        const encoded = positions.map((index, k) => {
          if (index >= len) addonFail('ERR_MMVEC_OUT_OF_RANGE', `index ${index} is out of range for length ${len}`);
          return jsValueBytes(h.dtype, values[k] as number | bigint);
        });
        positions.forEach((index, k) => encoded[k]!.copy(this.bytes(h), index * size));
        return undefined;
      }
      case 'push':
      case 'pushArray': {
        let values: unknown[];
        if (op.op === 'push') {
          op.values.forEach((v, k) => checkValueArg(`values[${k}]`, v));
          values = op.values;
        } else if (op.kind === 'notArray') {
          throw argTypeError('values', 'an array or typed array', op.values[0]);
        } else {
          values = op.values;
          if (op.kind !== typedArrayName[h.dtype]) values.forEach((v, k) => checkValueArg(`values[${k}]`, v));
        }
        this.open(h);
        if (op.op === 'pushArray' && op.kind === typedArrayName[h.dtype]) {
          // A typed array of the vector's own type goes in as raw bytes.
          this.writable(h);
          const raw = Buffer.concat(values.map((v) => jsValueBytes(h.dtype, v as number | bigint)));
          this.files[this.fileIndex(h)] = Buffer.concat([this.bytes(h), raw]);
          return this.length(h);
        }
        for (const v of values) if (typeof v === 'bigint' && (v < I64_MIN || v > U64_MAX)) jsValueBytes(h.dtype, v);
        this.writable(h);
        const raw = Buffer.concat(values.map((v) => jsValueBytes(h.dtype, v as number | bigint)));
        this.files[this.fileIndex(h)] = Buffer.concat([this.bytes(h), raw]);
        return this.length(h);
      }
      case 'pop': {
        this.open(h);
        // A writer detaches its view before any pop, whatever the outcome (documented for
        // pops that shrink; for the others the model does not assert either way).
        if (h.mode !== 'r') this.detachViews(h, 'unknown');
        this.writable(h);
        const len = this.length(h);
        if (len === 0) return undefined;
        const value = jsElement(h.dtype, this.bytes(h), (len - 1) * size);
        if (this.readers(h.file) > 0)
          addonFail(
            'ERR_MMVEC_HAS_READERS',
            `${h.file} is mapped by a reader: shrinking it now would crash that reader`,
          );
        for (const v of h.views) if (v.state === 'unknown') v.state = 'detached';
        this.files[this.fileIndex(h)] = this.bytes(h).subarray(0, (len - 1) * size);
        return value;
      }
      case 'clear': {
        this.open(h);
        if (h.mode !== 'r') this.detachViews(h, 'unknown');
        this.writable(h);
        const len = this.length(h);
        if (len > 0 && this.readers(h.file) > 0)
          addonFail(
            'ERR_MMVEC_HAS_READERS',
            `${h.file} is mapped by a reader: shrinking it now would crash that reader`,
          );
        if (len > 0) for (const v of h.views) if (v.state === 'unknown') v.state = 'detached';
        this.files[this.fileIndex(h)] = Buffer.alloc(0);
        return len;
      }
      case 'view': {
        this.open(h);
        const len = this.length(h);
        if (h.viewLength !== undefined && h.viewLength !== len) this.detachViews(h, 'detached');
        // A view taken at length 0 is a fresh empty buffer, and is not remembered.
        if (len === 0) {
          h.viewLength = undefined;
          return { view: this.nextView++, length: 0 };
        }
        h.viewLength = len;
        const id = this.nextView++;
        h.views.push({ id, length: len, state: 'live' });
        return { view: id, length: len };
      }
      case 'readViews':
      case 'iterate':
      case 'flush':
        if (op.op !== 'readViews') this.open(h);
        return undefined;
      case 'writeView': {
        const live = h.views.filter((v) => v.state === 'live');
        const view = live[live.length - 1];
        if (!view || h.mode === 'r' || op.index >= view.length) return undefined;
        jsValueBytes(h.dtype, op.value).copy(this.bytes(h), op.index * size);
        return undefined;
      }
    }
  }

  private openOp(op: AddonOp & { op: 'open' }): unknown {
    const old = this.handles.get(op.slot);
    if (old && !old.closed) throw new Error(`slot ${op.slot} is open`);
    const dtype = dtypeFromName(op.dtype);
    if (!dtype) addonFail('ERR_MMVEC_BAD_DTYPE', `unknown dtype '${op.dtype}' (expected one of ${DTYPE_LIST})`);
    if (!['r', 'r+', 'w+', 'a'].includes(op.mode))
      addonFail('ERR_MMVEC_BAD_MODE', `unknown mode '${op.mode}' (expected one of r, r+, w+, a)`);
    const path = this.filePath(op.file);
    if (op.file === ADDON_FILES + 2)
      addonFail('ERR_MMVEC_BAD_PATH', `bad path '${path.replace('\0', '\\0')}': contains a NUL byte`);
    if (op.file === ADDON_FILES) addonFail('ERR_MMVEC_NOT_REGULAR_FILE', `not a regular file: ${path}`);
    if (op.file > ADDON_FILES) addonFail('ENOENT', `no such file or directory: ${path}`);
    const mode = op.mode as AddonHandle['mode'];
    let bytes = this.files[op.file];
    if (!bytes && (mode === 'r' || mode === 'r+')) addonFail('ENOENT', `no such file or directory: ${path}`);
    if (!bytes) {
      bytes = Buffer.alloc(0);
      this.files[op.file] = bytes;
    }
    if (mode !== 'r' && this.writer(path)) addonFail('ERR_MMVEC_LOCKED', `${path} is locked by another writer`);
    if (mode === 'w+' && bytes.length > 0) {
      if (this.readers(path) > 0)
        addonFail('ERR_MMVEC_HAS_READERS', `${path} is mapped by a reader: shrinking it now would crash that reader`);
      bytes = Buffer.alloc(0);
      this.files[op.file] = bytes;
    }
    if (bytes.length % ITEMSIZE[dtype!] !== 0) {
      addonFail(
        'ERR_MMVEC_BAD_SIZE',
        `size of ${path} is ${bytes.length} bytes, not a multiple of ${ITEMSIZE[dtype!]} (${dtype})`,
      );
    }
    this.handles.set(op.slot, {
      file: path,
      dtype: dtype!,
      mode,
      roBytes: bytes.length,
      closed: false,
      views: [],
      viewLength: undefined,
    });
    return undefined;
  }
}
