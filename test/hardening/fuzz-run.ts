/**
 * The differential fuzz drivers: a seeded generator of commands (Redis) and operations
 * (the Node addon), valid and malformed, run against the real thing and against the
 * models in fuzz-model.ts, reply by reply. On a mismatch the driver shrinks the command
 * sequence to a minimal one that still fails the same way, and prints the seed and that
 * sequence (as redis-cli lines and as JSON for a regression test).
 *
 * Used by fuzz.redis.test.ts and fuzz.addon.test.ts (short runs in `npm test`) and by `npm run fuzz` (long runs:
 * MMVEC_FUZZ_COMMANDS, MMVEC_FUZZ_SEED, MMVEC_FUZZ_TARGET=redis|addon|both).
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { MmapVector } from '../..';
import { features, startServer, type TestServer } from '../helpers/redis';
import {
  ADDON_FILES,
  AddonModel,
  type AddonOp,
  DTYPES,
  type DType,
  type Expect,
  INT_BOUNDS,
  isFloat,
  is64,
  type JsValue,
  REDIS_DTYPES,
  type RDType,
  RedisModel,
  isBytes,
  isWideFloat,
  itemsize,
  redisPaths,
  shortestDigits,
  significantDigits,
} from './fuzz-model';
import * as exact from './fuzz-floats';

// ---------------------------------------------------------------------------------------
// randomness

/** mulberry32: a tiny seeded PRNG, so a seed replays a run exactly. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  weighted<T extends string>(table: Record<T, number>): T {
    const entries = Object.entries(table) as [T, number][];
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) if ((r -= w) < 0) return k;
    return entries[entries.length - 1]![0];
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  bigint(lo: bigint, hi: bigint): bigint {
    const span = hi - lo + 1n;
    let r = 0n;
    for (let i = 0; i < 5; i++) r = (r << 16n) | BigInt(this.int(65536));
    return lo + (r % span);
  }
}

export function seedFromEnv(): number {
  const given = process.env.MMVEC_FUZZ_SEED;
  return given !== undefined && given !== '' ? Number(given) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;
}

// ---------------------------------------------------------------------------------------
// printing

const printable = (b: number): boolean => b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c;

/** One argument as redis-cli would accept it. */
function quote(arg: Buffer): string {
  if (arg.length > 0 && [...arg].every((b) => printable(b) && b !== 0x20 && b !== 0x27)) return arg.toString('latin1');
  let out = '"';
  for (const b of arg) {
    if (printable(b)) out += String.fromCharCode(b);
    else if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

export function formatCommand(args: Buffer[]): string {
  return args.map(quote).join(' ');
}

/** JSON of a command: printable arguments as strings, others as `{ hex }`. */
export function commandJson(args: Buffer[]): (string | { hex: string })[] {
  return args.map((a) =>
    a.toString('utf8') === a.toString('latin1') && [...a].every((b) => b >= 0x20 && b < 0x7f)
      ? a.toString('latin1')
      : { hex: a.toString('hex') },
  );
}

export function commandFromJson(args: (string | { hex: string })[]): Buffer[] {
  return args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : Buffer.from(a.hex, 'hex')));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v === 'number' && Object.is(v, -0)) return '-0';
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer')
      return quote(Buffer.from((v as { data: number[] }).data));
    if (ArrayBuffer.isView(v) && !(v instanceof DataView))
      return { [v.constructor.name]: Array.from(v as unknown as ArrayLike<unknown>) };
    return v;
  });
}

// ---------------------------------------------------------------------------------------
// Redis: replies

type Actual =
  | { t: 'int'; v: bigint }
  | { t: 'bulk'; v: Buffer }
  | { t: 'nil' }
  | { t: 'arr'; v: Actual[] }
  | { t: 'err'; v: string }
  | { t: 'down'; v: string };

function toActual(error: Error | null | undefined, result: unknown): Actual {
  if (error) return error.name === 'ReplyError' ? { t: 'err', v: error.message } : { t: 'down', v: error.message };
  return convert(result);
}

function convert(result: unknown): Actual {
  if (result === null || result === undefined) return { t: 'nil' };
  if (typeof result === 'string' || typeof result === 'number') return { t: 'int', v: BigInt(result) };
  if (Buffer.isBuffer(result)) return { t: 'bulk', v: result };
  if (Array.isArray(result)) return { t: 'arr', v: result.map(convert) };
  if (result instanceof Error) return { t: 'err', v: result.message };
  return { t: 'down', v: `unexpected reply ${String(result)}` };
}

function parseFloatReply(text: string): number | undefined {
  if (text === 'nan') return NaN;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return /^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e-?[0-9]+)?$/.test(text) ? Number(text) : undefined;
}

/** Why `actual` is not what `expect` says (undefined when it is). Known deviations are
 * accepted and counted in `deviations`. */
function mismatch(expect: Expect, actual: Actual, deviations: Map<string, number>): string | undefined {
  const describe = (): string => `expected ${show(expectShown(expect))}, got ${show(actualShown(actual))}`;
  switch (expect.t) {
    case 'err':
      if (actual.t === 'err' && actual.v === expect.v) return undefined;
      if (actual.t === 'err' && expect.alt && actual.v === expect.alt.v) {
        deviations.set(expect.alt.finding, (deviations.get(expect.alt.finding) ?? 0) + 1);
        return undefined;
      }
      return describe();
    case 'int':
      return actual.t === 'int' && actual.v === expect.v ? undefined : describe();
    case 'nil':
      return actual.t === 'nil' ? undefined : describe();
    case 'bulk':
      return actual.t === 'bulk' && actual.v.equals(expect.v) ? undefined : describe();
    case 'float': {
      if (actual.t !== 'bulk') return describe();
      const text = actual.v.toString('latin1');
      const parsed = parseFloatReply(text);
      if (parsed === undefined) return `${describe()} (not a float)`;
      const same = Number.isNaN(expect.v)
        ? Number.isNaN(parsed)
        : Object.is(expect.f32 ? Math.fround(parsed) : parsed, expect.v);
      if (!same) return describe();
      if (Number.isFinite(parsed) && significantDigits(text) > shortestDigits(expect.v, expect.f32))
        return `${describe()} (not the shortest text)`;
      return undefined;
    }
    case 'wide': {
      // The reply must be text that rounds to the same element, in no more digits than
      // tell the format's values apart (docs/COMMANDS.md: the shortest round-trip text).
      if (actual.t !== 'bulk') return describe();
      const text = actual.v.toString('latin1');
      if (parseFloatReply(text) === undefined) return `${describe()} (not a float)`;
      const format = exact.FORMATS[expect.format];
      const want = exact.value(format, expect.bits);
      const got = exact.round(format, exact.decimal(text));
      if (want.k === 'nan') return text === 'nan' ? undefined : describe();
      if (got !== exact.round(format, want)) return describe();
      if (significantDigits(text) > format.maxDigits) return `${describe()} (not the shortest text)`;
      return undefined;
    }
    case 'arr': {
      if (actual.t !== 'arr' || actual.v.length !== expect.v.length) return describe();
      for (let i = 0; i < expect.v.length; i++) {
        const inner = mismatch(expect.v[i]!, actual.v[i]!, deviations);
        if (inner) return `element ${i}: ${inner}`;
      }
      return undefined;
    }
  }
}

function expectShown(e: Expect): unknown {
  switch (e.t) {
    case 'int':
      return e.v;
    case 'bulk':
      return e.v.toString('latin1');
    case 'nil':
      return null;
    case 'float':
      return { float: e.f32 ? 'f32' : 'f64', value: e.v };
    case 'wide':
      return { [e.format]: `0x${e.bits.toString(16)}` };
    case 'err':
      return { error: e.v };
    case 'arr':
      return e.v.map(expectShown);
  }
}

function actualShown(a: Actual): unknown {
  switch (a.t) {
    case 'int':
      return a.v;
    case 'bulk':
      return a.v.toString('latin1');
    case 'nil':
      return null;
    case 'err':
      return { error: a.v };
    case 'down':
      return { connection: a.v };
    case 'arr':
      return a.v.map(actualShown);
  }
}

// ---------------------------------------------------------------------------------------
// Redis: the generator

const VEC_KEYS = REDIS_DTYPES.map((_, i) => `v${i}`);
const KEY_POOL = [...VEC_KEYS, 'r1', 'r2', 'n1', 'n2', 's1', 's2', 'nokey'];

const JUNK_INTEGERS = [
  '-0',
  '0',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775808',
  '-9223372036854775809',
  '+1',
  '01',
  '1.0',
  '',
  ' 1',
  '1 ',
  'abc',
  '1e2',
  '99999999999999999999999999999999999999999',
  '-',
  '0x1',
  '١',
];

const JUNK_VALUES = [
  '',
  ' 1',
  '1 ',
  '+5',
  '05',
  '1.5',
  '1e2',
  '2.0',
  '0x10',
  '1_0',
  'abc',
  '--5',
  '-',
  '.',
  'e5',
  '1e',
  'in',
  'infinit',
  'nana',
  '99999999999999999999',
  '-99999999999999999999',
  '1e400',
  '-1e400',
  '18446744073709551616',
  '-9223372036854775809',
  '9223372036854775808',
  '18446744073709551615',
  '170141183460469231731687303715884105728',
  '30 °C',
  '\ufeff1',
  '1\r\n2',
  'x'.repeat(200),
  '1'.repeat(140),
  '3.4028236e38',
  '1e39',
  '-1e39',
  '1000000000000000000000000000000000000000',
  '+1e39',
  '3.5E38',
  '1e-400',
  '٣',
];

const FLOAT_TEXTS = [
  '0',
  '-0',
  '1',
  '-1',
  '0.1',
  '0.5',
  '1.5',
  '-2.25',
  '1e20',
  '1e-7',
  '123456789.123',
  '16777217',
  '9007199254740993',
  '.5',
  '5.',
  '+5',
  '1E5',
  '-2e3',
  'inf',
  '-inf',
  'INF',
  '+Infinity',
  '-infinity',
  'nan',
  'NaN',
  '-nan',
  '1e-50',
  '-1e-50',
  '3.4028234e38',
  '1e308',
  '-1.7976931348623157e308',
  '4.9e-324',
  '2.2250738585072014e-308',
  '1.401298464324817e-45',
  '0.30000000000000004',
];

const DTYPE_SPELLINGS = [
  ...DTYPES,
  'i8',
  'u8',
  'i16',
  'u16',
  'i32',
  'u32',
  'i64',
  'u64',
  'f32',
  'f64',
  'float',
  'double',
  'INT32',
  'Float64',
  'Double',
  'float16',
  'f16',
  'half',
  'bfloat16',
  'BF16',
  'float80',
  'long_double',
  'longdouble',
  'float128',
  'bytes8',
  'S8',
  'bytes3',
  's3',
  'BYTES1',
];
// `string` names a dtype only in MMAP's seed form, with a size; `bytes0` is a bad width.
const BAD_DTYPES = ['complex128', '', 'float8', 'int', 'string', 'bytes0', 'S', 'i 8'];

function junk(rng: Rng, list: readonly string[]): Buffer {
  if (rng.chance(0.12)) {
    const special = [0x00, 0xff, 0x0d, 0x0a, 0xc3, 0x80, 0x30, 0x2d];
    const out = Buffer.alloc(rng.range(0, 6));
    for (let i = 0; i < out.length; i++) out[i] = rng.chance(0.6) ? rng.pick(special) : rng.int(256);
    return out;
  }
  return Buffer.from(rng.pick(list));
}

/** Texts for the wider floats: their limits, just past them, and their subnormals. */
const WIDE_FLOAT_TEXTS = [
  '65504',
  '65519',
  '65520',
  '6e-8',
  '3.38e38',
  '3.4e38',
  '9e-41',
  '1.18973149535723176502e+4932',
  '1.2e4932',
  '1e4000',
  '-1e-4000',
  '3.6e-4951',
  '1.000488281250000000001',
  '0.33333333333333333334',
];

/** A byte string for a `bytes<N>` element: up to two bytes too long, NULs and binary included. */
function bytesValue(rng: Rng, width: number): Buffer {
  const out = Buffer.alloc(rng.range(0, width + 2));
  for (let i = 0; i < out.length; i++) out[i] = rng.chance(0.7) ? 0x61 + rng.int(26) : rng.pick([0, 0xff, 0x20, 0x0a]);
  return out;
}

function intText(rng: Rng, dtype: DType): string {
  const [min, max] = INT_BOUNDS[dtype];
  const r = rng.next();
  if (r < 0.45) return String(rng.range(-50, 50) < 0 && min === 0n ? rng.range(0, 50) : rng.range(-50, 50));
  if (r < 0.6) return String(rng.pick([min, max, min + 1n, max - 1n, 0n]));
  if (r < 0.68) return String(rng.pick([min - 1n, max + 1n]));
  return String(rng.bigint(min, max));
}

function floatText(rng: Rng, dtype: DType): string {
  const r = rng.next();
  if (r < 0.4) return rng.pick(FLOAT_TEXTS);
  if (r < 0.6) return String(rng.range(-1000, 1000) / rng.pick([1, 2, 4, 10, 100, 1000]));
  if (r < 0.8) {
    const bits = rng.bytes(8);
    const v = bits.readDoubleLE(0);
    return Number.isFinite(v) ? String(dtype === 'float32' && rng.chance(0.5) ? Math.fround(v % 1e30) : v) : '1';
  }
  return (rng.next() * 10 ** rng.range(-10, 10)).toPrecision(rng.range(1, 17));
}

function valueText(rng: Rng, dtype: RDType): Buffer {
  if (isBytes(dtype)) return rng.chance(0.9) ? bytesValue(rng, itemsize(dtype)) : junk(rng, JUNK_VALUES);
  if (rng.chance(0.12)) return junk(rng, JUNK_VALUES);
  if (isWideFloat(dtype)) return Buffer.from(rng.chance(0.25) ? rng.pick(WIDE_FLOAT_TEXTS) : floatText(rng, 'float64'));
  return Buffer.from(isFloat(dtype) ? floatText(rng, dtype) : intText(rng, dtype));
}

function deltaText(rng: Rng, dtype: RDType): Buffer {
  if (rng.chance(0.12)) return junk(rng, [...JUNK_VALUES, ...JUNK_INTEGERS]);
  if (isBytes(dtype)) return Buffer.from(String(rng.range(-20, 20)));
  if (isWideFloat(dtype) && rng.chance(0.2)) return Buffer.from(rng.pick(WIDE_FLOAT_TEXTS));
  if (isWideFloat(dtype) || isFloat(dtype))
    return Buffer.from(
      rng.chance(0.8)
        ? String(rng.range(-100, 100) / rng.pick([1, 4, 10]))
        : rng.pick([...FLOAT_TEXTS, '1e308', '3e38']),
    );
  const r = rng.next();
  if (r < 0.75) return Buffer.from(String(rng.range(-20, 20)));
  return Buffer.from(
    String(
      rng.pick([
        INT_BOUNDS[dtype as DType][1],
        -INT_BOUNDS[dtype as DType][1],
        2n ** 63n - 1n,
        -(2n ** 63n),
        300n,
        -300n,
      ]),
    ),
  );
}

function indexText(rng: Rng, len: number): Buffer {
  const r = rng.next();
  if (r < 0.7 && len > 0) return Buffer.from(String(rng.int(len)));
  if (r < 0.8) return Buffer.from(String(len + rng.int(3)));
  if (r < 0.86) return Buffer.from(String(rng.pick([-1, -len, -len - 1])));
  return junk(rng, JUNK_INTEGERS);
}

function boundText(rng: Rng, len: number): Buffer {
  if (rng.chance(0.1)) return junk(rng, JUNK_INTEGERS);
  return Buffer.from(String(rng.range(-len - 3, len + 3)));
}

function blob(rng: Rng, dtype: RDType): Buffer {
  const size = itemsize(dtype);
  if (rng.chance(0.75)) {
    const n = rng.range(0, 12);
    if ((dtype === 'float32' || dtype === 'float64') && rng.chance(0.5)) {
      const out = Buffer.alloc(n * size);
      for (let i = 0; i < n; i++) {
        const v = rng.range(-1000, 1000) / 8;
        if (size === 8) out.writeDoubleLE(v, i * 8);
        else out.writeFloatLE(v, i * 4);
      }
      return out;
    }
    return rng.bytes(n * size);
  }
  return rng.bytes(rng.range(0, 40));
}

const COMMAND_WEIGHTS = {
  'MMVEC.GET': 8,
  VGET: 3,
  'MMVEC.MGET': 5,
  VMGET: 2,
  'MMVEC.SET': 8,
  VSET: 3,
  'MMVEC.ADD': 10,
  VADD: 3,
  'MMVEC.POP': 4,
  VPOP: 2,
  'MMVEC.COUNT': 3,
  VCOUNT: 1,
  'MMVEC.CLEAR': 1.2,
  VCLEAR: 0.5,
  'MMVEC.RANGE': 6,
  'MMVEC.GETBLOB': 4,
  'MMVEC.SETBLOB': 5,
  'MMVEC.ADDBLOB': 5,
  'MMVEC.INCRBY': 7,
  'MMVEC.INFO': 2,
  VALL: 1.5,
  VTYPE: 1,
  VSIZE: 1,
  VFILEPATH: 1,
  'MMVEC.SYNC': 0.5,
  'MMVEC.OPEN': 3,
  MMAP: 1.5,
  DEL: 1,
  SET: 0.3,
};
type CommandName = keyof typeof COMMAND_WEIGHTS;

/** The commands that set the scene: one key per dtype, two plain strings. */
export function setupCommands(): Buffer[][] {
  const setup = REDIS_DTYPES.map((dtype, i) => ['MMVEC.OPEN', `v${i}`, `f${i}.bin`, 'TYPE', dtype]);
  setup.push(['SET', 's1', 'hello'], ['SET', 's2', 'world']);
  return setup.map((c) => c.map((a) => Buffer.from(a)));
}

export class RedisGenerator {
  private readonly weights: Record<string, number>;
  private readonly paths: Buffer[];

  constructor(
    private readonly rng: Rng,
    private readonly model: RedisModel,
  ) {
    this.weights = { ...COMMAND_WEIGHTS };
    this.paths = redisPaths(model.dir);
  }

  /** A key for a command: mostly a bound vector (read-write ones for writes). */
  private key(write = false): string {
    const bound = [...this.model.keys.entries()].filter(([, k]) => k.t === 'vec').map(([name]) => name);
    const writable = bound.filter((name) => !this.model.vecKey(name)!.readonly);
    const r = this.rng.next();
    if (write && r < 0.75 && writable.length > 0) return this.rng.pick(writable);
    if (r < 0.85 && bound.length > 0) return this.rng.pick(bound);
    if (r < 0.9) return this.rng.pick(['s1', 's2']);
    return this.rng.pick(KEY_POOL);
  }

  next(): Buffer[] {
    const rng = this.rng;
    let name = rng.weighted(this.weights as Record<CommandName, number>) as string;
    const key = this.key(/SET|ADD|POP|CLEAR|INCRBY/.test(name));
    const vec = this.model.vecKey(key);
    const dtype: RDType = vec?.dtype ?? rng.pick(REDIS_DTYPES);
    const len = vec ? this.model.count(vec) : rng.int(4);
    const args: (string | Buffer)[] = [];
    switch (name) {
      case 'MMVEC.GET':
      case 'VGET':
        args.push(key, indexText(rng, len));
        break;
      case 'MMVEC.MGET':
      case 'VMGET':
        args.push(key);
        for (let i = rng.range(1, 5); i > 0; i--) args.push(indexText(rng, len));
        break;
      case 'MMVEC.SET':
      case 'VSET':
        args.push(key);
        for (let i = rng.range(1, 3); i > 0; i--) args.push(indexText(rng, len), valueText(rng, dtype));
        break;
      case 'MMVEC.ADD':
      case 'VADD':
        args.push(key);
        for (let i = rng.range(1, 6); i > 0; i--) args.push(valueText(rng, dtype));
        break;
      case 'MMVEC.RANGE':
        args.push(key, boundText(rng, len), boundText(rng, len));
        break;
      case 'MMVEC.GETBLOB':
        args.push(
          key,
          rng.chance(0.9) ? String(rng.range(0, len + 2)) : junk(rng, [...JUNK_INTEGERS, '-1']),
          rng.chance(0.9) ? String(rng.range(0, len + 2)) : junk(rng, [...JUNK_INTEGERS, '-3']),
        );
        break;
      case 'MMVEC.SETBLOB':
        args.push(
          key,
          rng.chance(0.9) ? String(rng.range(0, len + 1)) : junk(rng, [...JUNK_INTEGERS, '-1']),
          blob(rng, dtype),
        );
        break;
      case 'MMVEC.ADDBLOB':
        args.push(key, blob(rng, dtype));
        break;
      case 'MMVEC.INCRBY':
        args.push(key, indexText(rng, len), deltaText(rng, dtype));
        break;
      case 'MMVEC.OPEN':
      case 'MMAP':
        return this.open(name);
      case 'DEL':
        args.push(rng.chance(0.8) ? rng.pick([...VEC_KEYS, 'r1', 'r2', 'n1', 'n2']) : rng.pick(KEY_POOL));
        break;
      case 'SET':
        args.push(rng.chance(0.85) ? rng.pick(['s1', 's2']) : rng.pick(KEY_POOL), 'text');
        break;
      default: // POP COUNT CLEAR INFO VALL VTYPE VSIZE VFILEPATH SYNC
        args.push(key);
    }
    if (name !== 'DEL' && name !== 'SET' && rng.chance(0.06)) {
      // Wrong arity: drop or add arguments.
      const extra = rng.range(-args.length, 3);
      if (extra < 0) args.splice(args.length + extra);
      else for (let i = 0; i < extra; i++) args.push(rng.chance(0.5) ? String(rng.int(3)) : valueText(rng, dtype));
    }
    if (rng.chance(0.05)) name = [...name].map((c) => (rng.chance(0.5) ? c.toLowerCase() : c)).join('');
    return [name, ...args].map((a) => (typeof a === 'string' ? Buffer.from(a) : a));
  }

  private dtypeName(): Buffer {
    return Buffer.from(this.rng.chance(0.9) ? this.rng.pick(DTYPE_SPELLINGS) : this.rng.pick(BAD_DTYPES));
  }

  private open(name: string): Buffer[] {
    const rng = this.rng;
    // Unbound vector keys first (so deleted ones come back), else any key.
    const unbound = KEY_POOL.filter((k) => !this.model.keys.has(k));
    const unboundVec = unbound.filter((k) => VEC_KEYS.includes(k));
    const r = rng.next();
    const key =
      r < 0.35 && unboundVec.length > 0
        ? rng.pick(unboundVec)
        : r < 0.5 && unbound.length > 0
          ? rng.pick(unbound)
          : r < 0.9
            ? this.key()
            : rng.pick(KEY_POOL);
    const readonly = rng.chance(VEC_KEYS.includes(key) ? 0.08 : 0.4);
    const vec = this.model.vecKey(key);
    const path =
      vec && rng.chance(0.5) ? Buffer.from(vec.path) : rng.chance(0.75) ? this.goodPath() : rng.pick(this.paths);
    const args: Buffer[] = [Buffer.from(name), Buffer.from(key), path];
    if (name === 'MMAP' && rng.chance(0.5)) {
      // The seed's full-version form: MMAP key path value_type [value_size] [writable].
      args.push(this.dtypeName());
      const extras = [
        () => Buffer.from(rng.pick(['writable', 'WRITABLE', 'Writable'])),
        () => Buffer.from(String(rng.pick([1, 2, 4, 8, 16, 0]))),
        () => junk(rng, ['-0', '08', 'x', 'writable', 'READONLY']),
      ];
      for (let i = rng.range(0, 3); i > 0; i--) args.push(rng.pick(extras)());
      return args;
    }
    const options: Buffer[][] = [];
    if (rng.chance(0.75))
      options.push([
        Buffer.from(rng.pick(['TYPE', 'type', 'Type'])),
        vec && rng.chance(0.5) ? Buffer.from(vec.dtype) : this.dtypeName(),
      ]);
    if (readonly) options.push([Buffer.from(rng.pick(['READONLY', 'readonly']))]);
    if (rng.chance(0.08)) options.push([junk(rng, ['EXTRA', 'TYPE', 'READONLY', 'writable', 'float32'])]);
    for (const option of rng.chance(0.5) ? options : options.reverse()) args.push(...option);
    return args;
  }

  private goodPath(): Buffer {
    const rng = this.rng;
    const dir = this.model.dir;
    const files = [
      'f0.bin',
      'f1.bin',
      'f2.bin',
      'f3.bin',
      'f4.bin',
      'f5.bin',
      'f6.bin',
      'f7.bin',
      'f8.bin',
      'f9.bin',
      ...REDIS_DTYPES.slice(10).map((_, i) => `f${10 + i}.bin`),
      './f0.bin',
      'sub/../f1.bin',
      `${dir}/f2.bin`,
      `${dir}/sub/../f1.bin`,
      `${dir}/lnk`,
      'sub/f10.bin',
      'lnk',
      'ghost.bin',
    ];
    return Buffer.from(rng.pick(files));
  }
}

// ---------------------------------------------------------------------------------------
// Redis: the driver

export interface RedisFailure {
  seed: number;
  /** Index of the failing command in `commands` (or commands.length for a file check). */
  index: number;
  signature: string;
  detail: string;
  commands: Buffer[][];
}

export interface RedisFuzzResult {
  seed: number;
  commands: number;
  millis: number;
  errors: number;
  /** Replies by command name: how many succeeded, how many were errors. */
  byCommand: Map<string, { ok: number; err: number }>;
  deviations: Map<string, number>;
  failure?: RedisFailure;
  /** The failure's minimal reproduction, when it was shrunk. */
  minimal?: RedisFailure;
}

/** A redis-server with the module, a fixture in its DIR, and a raw connection. */
export class FuzzServer {
  server!: TestServer;
  conn!: Redis;
  dir!: string;

  static async start(): Promise<FuzzServer> {
    const s = new FuzzServer();
    s.server = await startServer({ args: ['--appendonly', 'no'] });
    s.dir = fs.realpathSync(s.server.dir);
    s.connect();
    s.fixture();
    return s;
  }

  private connect(): void {
    this.conn = new Redis({
      port: this.server.port,
      host: '127.0.0.1',
      stringNumbers: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    this.conn.on('error', () => undefined);
  }

  private fixture(): void {
    fs.mkdirSync(path.join(this.dir, 'sub'), { recursive: true });
    const link = (target: string, name: string): void => {
      fs.rmSync(path.join(this.dir, name), { force: true });
      fs.symlinkSync(target, path.join(this.dir, name));
    };
    link('f3.bin', 'lnk');
    link(path.join(os.tmpdir(), `mmvec-fuzz-outside-${process.pid}.bin`), 'away');
    link('loop', 'loop');
  }

  /** Forgets every key and file: a fresh state for a replay (restarting a dead server). */
  async reset(): Promise<void> {
    const alive = await this.conn.ping().then(
      () => true,
      () => false,
    );
    if (alive) await this.conn.flushall();
    else {
      this.conn.disconnect();
      await this.server.stop().catch(() => undefined);
      this.server = await startServer({ dir: this.server.dir, port: this.server.port, args: ['--appendonly', 'no'] });
      this.connect();
      await this.conn.ping();
    }
    for (const name of fs.readdirSync(this.dir))
      if (/^(f\d+\.bin|ghost\.bin)$/.test(name)) fs.rmSync(path.join(this.dir, name));
    fs.rmSync(path.join(this.dir, 'sub'), { recursive: true, force: true });
    this.fixture();
  }

  async run(batch: Buffer[][]): Promise<Actual[]> {
    const pipeline = this.conn.pipeline();
    for (const [name, ...rest] of batch) pipeline.callBuffer(name!.toString('latin1'), ...rest);
    const results = await pipeline.exec().catch((e: Error) => batch.map(() => [e, null] as [Error, null]));
    return (results ?? []).map(([e, r]) => toActual(e, r));
  }

  async stop(): Promise<void> {
    this.conn.disconnect();
    await this.server.stop();
    fs.rmSync(this.server.dir, { recursive: true, force: true });
  }
}

/** The files on disk that differ from the model's bytes, described. */
function fileDifferences(model: RedisModel): string | undefined {
  for (const [file, bytes] of model.files) {
    const disk = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    if (!disk) return `${file} is missing (the model holds ${bytes.length} bytes)`;
    if (!disk.equals(bytes)) {
      let at = 0;
      while (at < Math.min(disk.length, bytes.length) && disk[at] === bytes[at]) at++;
      return `${file}: ${disk.length} bytes on disk, ${bytes.length} in the model; first difference at byte ${at}`;
    }
  }
  return undefined;
}

/** Runs `commands` on `server` (reset first) against a new model; the first failure. */
export async function replayRedis(
  server: FuzzServer,
  commands: Buffer[][],
  options: { batch?: number; deviations?: Map<string, number>; checkFilesEvery?: number } = {},
): Promise<Omit<RedisFailure, 'seed' | 'commands'> | undefined> {
  await server.reset();
  const model = new RedisModel(server.dir, features.vectorSets);
  const deviations = options.deviations ?? new Map<string, number>();
  const every = options.checkFilesEvery ?? 1024;
  const batchSize = options.batch ?? Math.min(64, every);
  for (let start = 0; start < commands.length; start += batchSize) {
    const batch = commands.slice(start, start + batchSize);
    const expects = batch.map((c) => model.apply(c));
    const actuals = await server.run(batch);
    for (let i = 0; i < batch.length; i++) {
      const wrong = mismatch(expects[i]!, actuals[i]!, deviations);
      if (wrong) return { index: start + i, signature: signature(batch[i]!, expects[i]!, actuals[i]!), detail: wrong };
    }
    const end = start + batch.length;
    if (Math.floor(end / every) !== Math.floor(start / every) || end >= commands.length) {
      const diff = fileDifferences(model);
      if (diff) return { index: end - 1, signature: 'FILES', detail: diff };
    }
  }
  const alive = await server.conn.ping().then(
    () => true,
    () => false,
  );
  if (!alive)
    return { index: commands.length, signature: 'DOWN', detail: 'the server does not answer PING after the run' };
  return undefined;
}

function signature(command: Buffer[], expect: Expect, actual: Actual): string {
  const kind = (x: { t: string; v?: unknown }): string =>
    x.t === 'err' ? `err:${String(x.v).split(' ').slice(0, 2).join(' ')}` : x.t;
  return `${command[0]!.toString('latin1').toUpperCase()}:${kind(expect)}->${kind(actual)}`;
}

/** Shrinks a failing sequence: the shortest suffix window that still fails the same way,
 * then delta debugging (ddmin) on it. Bounded by `budgetMs`. */
export async function minimizeRedis(
  server: FuzzServer,
  failure: RedisFailure,
  budgetMs = 60_000,
): Promise<RedisFailure> {
  const deadline = Date.now() + budgetMs;
  const same = async (cmds: Buffer[][]): Promise<Omit<RedisFailure, 'seed' | 'commands'> | undefined> => {
    const f = await replayRedis(server, cmds, { checkFilesEvery: 1 });
    return f && f.signature === failure.signature ? f : undefined;
  };
  let current = failure.commands.slice(0, failure.index + 1);
  for (let w = 16; w < current.length; w *= 4) {
    const window = current.slice(current.length - w);
    if (await same(window)) {
      current = window;
      break;
    }
  }
  let chunks = 2;
  while (current.length >= 2 && Date.now() < deadline) {
    const size = Math.ceil(current.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.length && Date.now() < deadline; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      const f = candidate.length > 0 ? await same(candidate) : undefined;
      if (f) {
        current = candidate.slice(0, f.index + 1);
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      chunks = Math.min(chunks * 2, current.length);
    }
  }
  const final = (await replayRedis(server, current, { checkFilesEvery: 1 })) ?? {
    index: current.length - 1,
    signature: failure.signature,
    detail: '(did not reproduce)',
  };
  return { seed: failure.seed, commands: current, ...final };
}

export function describeRedisFailure(result: RedisFuzzResult): string {
  const f = result.minimal ?? result.failure;
  if (!f || !result.failure) return `redis fuzz: seed ${result.seed}, ${result.commands} commands, no failure`;
  const lines = [
    `redis fuzz FAILED: seed ${result.seed} (replay with MMVEC_FUZZ_SEED=${result.seed}), command #${result.failure.index} of the run`,
    `  ${formatCommand(result.failure.commands[result.failure.index] ?? [])}`,
    `  ${result.failure.detail}`,
    `minimal sequence (${f.commands.length} commands; fails at #${f.index}: ${f.detail}):`,
    ...f.commands.map((c, i) => `  ${String(i).padStart(3)}  ${formatCommand(c)}`),
    'as JSON (commandFromJson / replayRedis):',
    JSON.stringify(f.commands.map(commandJson)),
  ];
  return lines.join('\n');
}

/** A whole Redis fuzz run: setup, then `commands` generated commands. */
export async function runRedisFuzz(options: {
  seed: number;
  commands: number;
  minimize?: boolean;
  log?: (line: string) => void;
}): Promise<RedisFuzzResult> {
  const started = Date.now();
  const server = await FuzzServer.start();
  try {
    const rng = new Rng(options.seed);
    const model = new RedisModel(server.dir, features.vectorSets);
    const generator = new RedisGenerator(rng, model);
    const deviations = new Map<string, number>();
    const byCommand = new Map<string, { ok: number; err: number }>();
    const commands: Buffer[][] = [];
    let errors = 0;
    let pending = setupCommands();
    const total = options.commands + pending.length;
    const batchSize = 64;
    let lastLog = Date.now();
    while (commands.length < total) {
      const batch: Buffer[][] = [];
      const expects: Expect[] = [];
      for (const c of pending) {
        batch.push(c);
        expects.push(model.apply(c));
      }
      pending = [];
      while (batch.length < batchSize && commands.length + batch.length < total) {
        const c = generator.next();
        batch.push(c);
        expects.push(model.apply(c));
      }
      const base = commands.length;
      commands.push(...batch);
      const actuals = await server.run(batch);
      for (let i = 0; i < batch.length; i++) {
        const name = batch[i]![0]!.toString('latin1').toUpperCase();
        const tally = byCommand.get(name) ?? { ok: 0, err: 0 };
        byCommand.set(name, tally);
        if (expects[i]!.t === 'err') {
          errors++;
          tally.err++;
        } else tally.ok++;
        const wrong = mismatch(expects[i]!, actuals[i]!, deviations);
        if (wrong) {
          const failure: RedisFailure = {
            seed: options.seed,
            index: base + i,
            signature: signature(batch[i]!, expects[i]!, actuals[i]!),
            detail: wrong,
            commands,
          };
          const result: RedisFuzzResult = {
            seed: options.seed,
            commands: commands.length,
            millis: Date.now() - started,
            errors,
            byCommand,
            deviations,
            failure,
          };
          if (options.minimize !== false) result.minimal = await minimizeRedis(server, failure);
          return result;
        }
      }
      if (Math.floor(commands.length / 1024) !== Math.floor(base / 1024)) {
        const diff = fileDifferences(model);
        if (diff) {
          const failure: RedisFailure = {
            seed: options.seed,
            index: commands.length - 1,
            signature: 'FILES',
            detail: diff,
            commands,
          };
          const result: RedisFuzzResult = {
            seed: options.seed,
            commands: commands.length,
            millis: Date.now() - started,
            errors,
            byCommand,
            deviations,
            failure,
          };
          if (options.minimize !== false) result.minimal = await minimizeRedis(server, failure);
          return result;
        }
      }
      if (options.log && Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        options.log(
          `redis fuzz: ${commands.length} commands, ${Math.round((commands.length * 1000) / (Date.now() - started))}/s`,
        );
      }
    }
    const alive = await server.conn.ping().then(
      () => true,
      () => false,
    );
    const diff = alive ? fileDifferences(model) : 'the server does not answer PING';
    const result: RedisFuzzResult = {
      seed: options.seed,
      commands: commands.length,
      millis: Date.now() - started,
      errors,
      byCommand,
      deviations,
    };
    if (diff)
      result.failure = {
        seed: options.seed,
        index: commands.length,
        signature: alive ? 'FILES' : 'DOWN',
        detail: diff,
        commands,
      };
    return result;
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------
// The Node addon

type AnyVector = MmapVector<DType>;
const SLOTS = 5;

type TypedClass = { new (values: ArrayLike<number> | ArrayLike<bigint>): ArrayBufferView; name: string };
const TYPED: Record<string, TypedClass> = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array: BigInt64Array as unknown as TypedClass,
  BigUint64Array: BigUint64Array as unknown as TypedClass,
};

const TYPED_FOR: Record<DType, string> = {
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

const ARRAY_KINDS = [
  'Float64Array',
  'Float32Array',
  'Int32Array',
  'Uint8Array',
  'Int16Array',
  'BigInt64Array',
  'BigUint64Array',
  'plain',
];

export class AddonGenerator {
  /** The dtype each file was last opened with, to keep most opens consistent. */
  private readonly fileDtype = new Map<number, string>();
  /** Dtypes of every handle seen so far. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly rng: Rng,
    private readonly model: AddonModel,
  ) {}

  /** A valid value for the dtype (as JS passes it). */
  private good(dtype: DType): number | bigint {
    const rng = this.rng;
    if (is64(dtype)) {
      const [min, max] = INT_BOUNDS[dtype];
      if (rng.chance(0.1)) return rng.range(-5, 5) < 0 && dtype === 'uint64' ? 3 : rng.range(-5, 5); // numbers work too
      return rng.chance(0.3)
        ? rng.pick([min, max, 0n, 2n ** 53n + 1n])
        : rng.bigint(min < -1000n ? -1000n : min, 1000n);
    }
    if (isFloat(dtype)) {
      const v = rng.pick([
        0,
        -0,
        1.5,
        -2.25,
        0.1,
        1e20,
        1e-7,
        NaN,
        Infinity,
        -Infinity,
        rng.range(-1000, 1000) / 7,
        3.4028234663852886e38,
      ]);
      return dtype === 'float32' ? Math.fround(v) : v;
    }
    const [min, max] = INT_BOUNDS[dtype];
    return rng.chance(0.3) ? Number(rng.pick([min, max])) : Number(rng.bigint(min, max));
  }

  private bad(dtype: DType): JsValue {
    const rng = this.rng;
    const [min, max] = INT_BOUNDS[dtype];
    const options: JsValue[] = [
      1.5,
      NaN,
      Infinity,
      -Infinity,
      2 ** 64,
      -1,
      1e39,
      -1e39,
      1e300,
      2n ** 64n,
      -(2n ** 63n) - 1n,
      2n ** 53n + 1n,
      9007199254740993n,
      '1',
      null,
      undefined,
      {},
      true,
    ];
    if (!isFloat(dtype)) options.push(Number(max) + 1, Number(min) - 1, max + 1n, min - 1n);
    return rng.pick(options);
  }

  private value(dtype: DType): JsValue {
    return this.rng.chance(0.85) ? this.good(dtype) : this.bad(dtype);
  }

  private index(len: number): JsValue {
    const rng = this.rng;
    const r = rng.next();
    if (r < 0.7 && len > 0) return rng.int(len);
    if (r < 0.8) return len + rng.int(2);
    return rng.pick<JsValue>([-1, 1.5, NaN, -0, Infinity, 2 ** 53, 1e300, '0', null]);
  }

  next(): AddonOp {
    const rng = this.rng;
    const open = [...this.model.handles.entries()].filter(([, h]) => !h.closed).map(([s]) => s);
    const free = [...Array(SLOTS).keys()].filter(
      (s) => !this.model.handles.get(s) || this.model.handles.get(s)!.closed,
    );
    if (open.length === 0 || (free.length > 0 && rng.chance(0.05))) return this.open(rng.pick(free));
    const all = [...this.model.handles.keys()];
    const writers = open.filter((s) => this.model.handles.get(s)!.mode !== 'r');
    const slot =
      rng.chance(0.7) && writers.length > 0 ? rng.pick(writers) : rng.chance(0.95) ? rng.pick(open) : rng.pick(all);
    const h = this.model.handles.get(slot)!;
    const len = h.closed ? 0 : this.model.length(h);
    const dtype = h.dtype;
    const op = rng.weighted({
      close: 1.5,
      length: 1,
      get: 8,
      getMany: 4,
      slice: 4,
      set: 8,
      setMany: 4,
      push: 10,
      pushArray: 8,
      pop: 4,
      clear: 0.7,
      view: 4,
      readViews: 4,
      writeView: 4,
      iterate: 1,
      flush: 0.3,
    });
    switch (op) {
      case 'close':
      case 'length':
      case 'pop':
      case 'clear':
      case 'view':
      case 'readViews':
      case 'iterate':
      case 'flush':
        return { op, slot };
      case 'get':
        return { op, slot, index: this.index(len) };
      case 'getMany': {
        if (rng.chance(0.05)) return { op, slot, indices: rng.pick<JsValue>([5, null, 'abc']) };
        return { op, slot, indices: Array.from({ length: rng.range(0, 5) }, () => this.index(len)) };
      }
      case 'slice': {
        const bound = (): number | undefined =>
          rng.chance(0.2)
            ? undefined
            : rng.chance(0.1)
              ? rng.pick([NaN, Infinity, -Infinity, 1.5, -0])
              : rng.range(-len - 2, len + 2);
        return { op, slot, start: bound(), end: bound() };
      }
      case 'set':
        return { op, slot, index: this.index(len), value: this.value(dtype) };
      case 'setMany': {
        const n = rng.range(0, 4);
        const m = rng.chance(0.05) ? n + 1 : n;
        return {
          op,
          slot,
          indices: Array.from({ length: n }, () => this.index(len)),
          values: Array.from({ length: m }, () => this.value(dtype)),
        };
      }
      case 'push':
        return { op, slot, values: Array.from({ length: rng.range(0, 6) }, () => this.value(dtype)) };
      case 'pushArray': {
        if (rng.chance(0.03))
          return { op, slot, kind: 'notArray', values: [rng.pick<JsValue>([5, null, 'abc', undefined])] };
        const kind = rng.chance(0.5) ? TYPED_FOR[dtype] : rng.pick(ARRAY_KINDS);
        return { op, slot, kind, values: this.arrayValues(kind, dtype, rng.range(0, 8)) };
      }
      case 'writeView': {
        return { op, slot, index: rng.int(Math.max(len, 1)), value: this.viewValue(dtype) };
      }
    }
  }

  /** Values a typed array of `kind` holds exactly (so the array stores them as given). */
  private arrayValues(kind: string, dtype: DType, n: number): JsValue[] {
    const rng = this.rng;
    return Array.from({ length: n }, () => {
      if (kind === TYPED_FOR[dtype])
        return isFloat(dtype) && rng.chance(0.3) ? rng.pick([NaN, Infinity, -Infinity, -0]) : this.viewValue(dtype);
      switch (kind) {
        case 'Float64Array':
          return rng.chance(0.85) ? Number(this.good(dtype)) : rng.pick([1.5, NaN, 1e39, -1, 300, 2 ** 63]);
        case 'Float32Array':
          return Math.fround(rng.chance(0.85) ? Number(this.good(dtype)) : rng.pick([1.5, NaN, 1e38, -1, 300]));
        case 'Int32Array':
          return rng.chance(0.85)
            ? Number(BigInt.asIntN(32, BigInt(Math.trunc(Number(this.good('int32'))))))
            : rng.pick([-1, 300, 70000, -(2 ** 31)]);
        case 'Int16Array':
          return rng.range(-32768, 32767);
        case 'Uint8Array':
          return rng.int(256);
        case 'BigInt64Array':
          return rng.chance(0.8)
            ? BigInt.asIntN(64, BigInt(this.good('int64')))
            : rng.pick([-1n, 2n ** 62n, -(2n ** 63n)]);
        case 'BigUint64Array':
          return rng.chance(0.8)
            ? BigInt.asUintN(64, BigInt(this.good('uint64')))
            : rng.pick([2n ** 64n - 1n, 2n ** 63n]);
        default:
          return this.value(dtype);
      }
    });
  }

  private viewValue(dtype: DType): number | bigint {
    if (dtype === 'int64') return this.rng.bigint(-(2n ** 63n), 2n ** 63n - 1n);
    if (dtype === 'uint64') return this.rng.bigint(0n, 2n ** 64n - 1n);
    if (isFloat(dtype))
      return dtype === 'float32' ? Math.fround(this.rng.range(-1000, 1000) / 3) : this.rng.range(-1000, 1000) / 3;
    const [min, max] = INT_BOUNDS[dtype];
    return Number(this.rng.bigint(min, max));
  }

  private open(slot: number): AddonOp {
    const rng = this.rng;
    // Every dtype gets its turn: a dtype not opened yet, with w+ on a file nobody holds.
    for (const h of this.model.handles.values()) this.seen.add(h.dtype);
    const unseen = DTYPES.filter((d) => !this.seen.has(d));
    const idle = [...Array(ADDON_FILES).keys()].filter(
      (f) => ![...this.model.handles.values()].some((h) => !h.closed && h.file === this.model.filePath(f)),
    );
    if (unseen.length > 0 && idle.length > 0 && rng.chance(0.5)) {
      const file = rng.pick(idle);
      const dtype = rng.pick(unseen);
      this.fileDtype.set(file, dtype);
      return { op: 'open', slot, file, dtype, mode: 'w+' };
    }
    const file = rng.chance(0.96) ? rng.int(ADDON_FILES) : rng.range(ADDON_FILES, ADDON_FILES + 2);
    const known = this.fileDtype.get(file);
    const dtype =
      known && rng.chance(0.7)
        ? known
        : rng.chance(0.95)
          ? rng.pick([...DTYPES, 'f64', 'i32', 'U8', 'double'])
          : rng.pick(['complex128', '', 'Int33']);
    if (rng.chance(0.7)) this.fileDtype.set(file, dtype);
    const mode = rng.weighted({ a: 40, r: 25, 'r+': 25, 'w+': 8, x: 2 });
    return { op: 'open', slot, file, dtype, mode: mode === 'x' ? rng.pick(['w', 'rw', 'A', '']) : mode };
  }
}

interface AddonFailure {
  seed: number;
  index: number;
  detail: string;
  ops: AddonOp[];
}

export interface AddonFuzzResult {
  seed: number;
  ops: number;
  millis: number;
  errors: number;
  /** Results by operation: how many returned, how many threw. */
  byOp: Map<string, { ok: number; err: number }>;
  /** The dtypes that were opened successfully. */
  dtypes: Set<string>;
  failure?: AddonFailure;
  minimal?: AddonFailure;
}

function sameJs(a: unknown, b: unknown): boolean {
  return (
    typeof a === typeof b &&
    (Object.is(a, b) || (typeof a === 'number' && Number.isNaN(a) && Number.isNaN(b as number)))
  );
}

function sameList(actual: ArrayLike<unknown>, expected: unknown[]): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (!sameJs(actual[i], expected[i])) return false;
  return true;
}

/** Executes addon operations on real handles, checking each against the model. */
class AddonRunner {
  readonly model: AddonModel;
  private readonly vectors = new Map<number, AnyVector>();
  private readonly views = new Map<number, ArrayLike<unknown> & { [i: number]: unknown }>();

  constructor(readonly dir: string) {
    this.model = new AddonModel(dir);
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  }

  /** Runs one op; a description of the mismatch, if any. An op on a slot that is not
   * open (or an open of an open slot), as shrinking a sequence makes, is skipped. */
  step(op: AddonOp): { detail?: string; error: boolean } {
    const slot = this.model.handles.get(op.slot);
    if (op.op === 'open' ? slot !== undefined && !slot.closed : slot === undefined) return { error: false };
    const before = op.op === 'writeView' ? this.writeTarget(op.slot) : undefined;
    const expect = this.model.apply(op);
    const actual = this.execute(op, before);
    const error = 'err' in expect;
    if ('err' in expect) {
      if (!('err' in actual)) return { error, detail: `expected ${show(expect.err)}, got ${show(actual.ok)}` };
      const e = actual.err;
      if (
        e.code !== expect.err.code ||
        e.message !== expect.err.message ||
        (expect.err.type === 'TypeError') !== (e.type === 'TypeError')
      ) {
        return { error, detail: `expected ${show(expect.err)}, got ${show(e)}` };
      }
      return { error };
    }
    if ('err' in actual)
      return { error, detail: `expected ${show(expect.ok)}, got ${show(actual.err)} ${actual.err.stack ?? ''}` };
    const wrong = this.compare(op, expect.ok, actual.ok);
    return { error, detail: wrong };
  }

  private writeTarget(slot: number): number | undefined {
    const h = this.model.handles.get(slot);
    // Never through a reader's view: its copy-on-write pages would stop following the file.
    if (!h || h.mode === 'r') return undefined;
    const live = h.views.filter((v) => v.state === 'live');
    return live[live.length - 1]?.id;
  }

  private compare(op: AddonOp, expected: unknown, actual: unknown): string | undefined {
    const h = this.model.handles.get(op.slot);
    switch (op.op) {
      case 'getMany':
      case 'slice': {
        const e = expected as { typed: string; values: unknown[] };
        const a = actual as ArrayLike<unknown>;
        if (a.constructor.name !== e.typed || !sameList(a, e.values))
          return `expected ${e.typed} ${show(e.values)}, got ${show(actual)}`;
        return undefined;
      }
      case 'view': {
        const e = expected as { view: number; length: number };
        const a = actual as ArrayLike<unknown>;
        if (a.constructor.name !== TYPED_FOR[h!.dtype] || a.length !== e.length)
          return `view: expected ${TYPED_FOR[h!.dtype]}(${e.length}), got ${a.constructor.name}(${a.length})`;
        if (!sameList(a, this.model.values(h!).slice(0, e.length)))
          return `view: expected ${show(this.model.values(h!))}, got ${show(actual)}`;
        this.views.set(e.view, actual as ArrayLike<unknown> & { [i: number]: unknown });
        return undefined;
      }
      case 'readViews': {
        for (const v of h!.views) {
          const arr = this.views.get(v.id);
          if (!arr || v.state === 'unknown') continue;
          if (v.state === 'detached') {
            if (arr.length !== 0) return `view ${v.id} should be detached, has length ${arr.length}`;
            continue;
          }
          const want = this.model.values(h!).slice(0, v.length);
          if (arr.length !== v.length || !sameList(arr, want))
            return `view ${v.id} (length ${v.length}): expected ${show(want)}, got ${show(Array.from(arr))}`;
        }
        return undefined;
      }
      case 'iterate': {
        const want = this.model.values(h!);
        return sameList(actual as unknown[], want)
          ? undefined
          : `iteration: expected ${show(want)}, got ${show(actual)}`;
      }
      default:
        return sameJs(actual, expected) ? undefined : `expected ${show(expected)}, got ${show(actual)}`;
    }
  }

  private execute(
    op: AddonOp,
    writeTarget: number | undefined,
  ): { ok: unknown } | { err: { code: string; message: string; type?: string; stack?: string } } {
    try {
      return { ok: this.perform(op, writeTarget) };
    } catch (error) {
      const e = error as Error & { code?: string };
      return {
        err: {
          code: String(e.code),
          message: e.message,
          type: e instanceof TypeError ? 'TypeError' : undefined,
          stack: e.code ? undefined : e.stack,
        },
      };
    }
  }

  private perform(op: AddonOp, writeTarget: number | undefined): unknown {
    if (op.op === 'open') {
      const v = MmapVector.open(this.model.filePath(op.file), { dtype: op.dtype as DType, mode: op.mode as 'a' });
      this.vectors.set(op.slot, v);
      return undefined;
    }
    const v = this.vectors.get(op.slot)!;
    switch (op.op) {
      case 'close':
        return v.close();
      case 'length':
        return v.length;
      case 'get':
        return v.get(op.index as number);
      case 'getMany':
        return v.getMany(op.indices as number[]);
      case 'slice':
        return v.slice(op.start, op.end);
      case 'set':
        return v.set(op.index as number, op.value as number);
      case 'setMany':
        return v.setMany(op.indices as number[], op.values as number[]);
      case 'push':
        return v.push(...(op.values as number[]));
      case 'pushArray': {
        if (op.kind === 'notArray') return v.pushArray(op.values[0] as number[]);
        if (op.kind === 'plain') return v.pushArray(op.values as number[]);
        return v.pushArray(new TYPED[op.kind]!(op.values as number[]) as unknown as number[]);
      }
      case 'pop':
        return v.pop();
      case 'clear':
        return v.clear();
      case 'view':
        return v.view();
      case 'readViews':
        return undefined;
      case 'iterate':
        return Array.from(v);
      case 'flush':
        return v.flush();
      case 'writeView': {
        const arr = writeTarget !== undefined ? this.views.get(writeTarget) : undefined;
        if (arr && op.index < arr.length) arr[op.index] = op.value;
        return undefined;
      }
    }
  }

  /** Files on disk against the model. */
  checkFiles(): string | undefined {
    for (let f = 0; f < ADDON_FILES; f++) {
      const file = this.model.filePath(f);
      const want = this.model.files[f];
      const disk = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
      if (!want && !disk) continue;
      if (!want || !disk || !disk.equals(want))
        return `${file}: disk ${disk ? disk.toString('hex') : 'missing'}, model ${want ? want.toString('hex') : 'missing'}`;
    }
    return undefined;
  }

  close(): void {
    for (const v of this.vectors.values()) v.close();
    this.vectors.clear();
  }
}

function addonReplay(ops: AddonOp[], checkEvery = 1): { index: number; detail: string } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-addon-fuzz-'));
  const runner = new AddonRunner(fs.realpathSync(dir));
  try {
    for (let i = 0; i < ops.length; i++) {
      const { detail } = runner.step(ops[i]!);
      if (detail) return { index: i, detail };
      if (i % checkEvery === 0 || i === ops.length - 1) {
        const diff = runner.checkFiles();
        if (diff) return { index: i, detail: diff };
      }
    }
    return undefined;
  } finally {
    runner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A whole addon fuzz run. */
export function runAddonFuzz(options: { seed: number; ops: number; minimize?: boolean }): AddonFuzzResult {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-addon-fuzz-'));
  const runner = new AddonRunner(fs.realpathSync(dir));
  const rng = new Rng(options.seed);
  const generator = new AddonGenerator(rng, runner.model);
  const ops: AddonOp[] = [];
  const byOp = new Map<string, { ok: number; err: number }>();
  const dtypes = new Set<string>();
  let errors = 0;
  let failure: AddonFailure | undefined;
  try {
    for (let i = 0; i < options.ops && !failure; i++) {
      const op = generator.next();
      ops.push(op);
      const { detail, error } = runner.step(op);
      const tally = byOp.get(op.op) ?? { ok: 0, err: 0 };
      byOp.set(op.op, tally);
      if (error) {
        errors++;
        tally.err++;
      } else tally.ok++;
      if (op.op === 'open' && !error) dtypes.add(runner.model.handles.get(op.slot)!.dtype);
      const diff = detail ?? (i % 16 === 0 ? runner.checkFiles() : undefined);
      if (diff) failure = { seed: options.seed, index: i, detail: diff, ops };
    }
    if (!failure) {
      const diff = runner.checkFiles();
      if (diff) failure = { seed: options.seed, index: ops.length - 1, detail: diff, ops };
    }
  } finally {
    runner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const result: AddonFuzzResult = {
    seed: options.seed,
    ops: ops.length,
    millis: Date.now() - started,
    errors,
    byOp,
    dtypes,
    failure,
  };
  if (failure && options.minimize !== false) result.minimal = minimizeAddon(failure);
  return result;
}

function minimizeAddon(failure: AddonFailure, budgetMs = 30_000): AddonFailure {
  const deadline = Date.now() + budgetMs;
  let current = failure.ops.slice(0, failure.index + 1);
  let chunks = 2;
  while (current.length >= 2 && Date.now() < deadline) {
    const size = Math.ceil(current.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.length; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      let f: { index: number; detail: string } | undefined;
      try {
        f = addonReplay(candidate);
      } catch {
        f = undefined; // the candidate is not a valid sequence (a slot used before its open)
      }
      if (f) {
        current = candidate.slice(0, f.index + 1);
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      chunks = Math.min(chunks * 2, current.length);
    }
  }
  const final = addonReplay(current) ?? { index: current.length - 1, detail: '(did not reproduce)' };
  return { seed: failure.seed, ops: current, ...final };
}

export function describeAddonFailure(result: AddonFuzzResult): string {
  const f = result.minimal ?? result.failure;
  if (!f || !result.failure) return `addon fuzz: seed ${result.seed}, ${result.ops} ops, no failure`;
  return [
    `addon fuzz FAILED: seed ${result.seed} (replay with MMVEC_FUZZ_SEED=${result.seed}), op #${result.failure.index}: ${show(result.failure.ops[result.failure.index])}`,
    `  ${result.failure.detail}`,
    `minimal sequence (${f.ops.length} ops; fails at #${f.index}: ${f.detail}):`,
    ...f.ops.map((op, i) => `  ${String(i).padStart(3)}  ${show(op)}`),
  ].join('\n');
}

export { addonReplay };
