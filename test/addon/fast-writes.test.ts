/**
 * The JavaScript write paths: `set` and `setMany` store through the cached view, `push` and
 * `pushArray` append packed bytes, when the dtype table's bounds say the core would store
 * the value as the typed array does. Every value must end up exactly as the core stores
 * it, or be refused with the core's exact error, whichever path it took.
 */

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CodedError, DTYPES, type FixedDType as DType, MmapVector, formatValue, parseValue } from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();

/** The addon, as the package loads it, to watch which writes reach it. */
const addon = createRequire(__filename)(path.resolve(__dirname, '../../dist/native/index.js')) as {
  NativeVector: { prototype: Record<'set' | 'setMany' | 'push', (...args: never[]) => unknown> };
  appendBytesTo: (...args: never[]) => number;
  nearestNumbers: (dtype: DType, bytes: Uint8Array) => Float64Array;
};

type Value = number | bigint;
type AnyVector = MmapVector<DType>;
type Outcome = { stored: string } | { code: string | undefined; message: string };

const ALL_DTYPES = DTYPES.map((info) => info.name);
/** The dtypes whose typed array holds their values, which the JS fast paths write. */
const VIEW_DTYPES = ALL_DTYPES.filter((dtype) => !['float16', 'bfloat16', 'float80'].includes(dtype));
const ADDON_DTYPES = ALL_DTYPES.filter((dtype) => !VIEW_DTYPES.includes(dtype));
const bigOf = (dtype: DType): boolean => dtype === 'int64' || dtype === 'uint64';
const zeroOf = (dtype: DType): Value => (bigOf(dtype) ? 0n : 0);

function open(dtype: DType, values: Value[]): { v: AnyVector; file: string } {
  const file = tmp.file();
  const v = MmapVector.open<DType>(file, { dtype });
  v.pushArray(values);
  return { v, file };
}

function outcome(fn: () => unknown, read: () => Value): Outcome {
  try {
    fn();
  } catch (error) {
    const { code, message } = error as CodedError;
    return { code, message };
  }
  return { stored: text(read()) };
}

/** A stored value as the core prints it: equal texts are equal elements (NaN aside). */
function text(value: Value): string {
  return typeof value === 'number' && Object.is(value, -0) ? '-0' : String(value);
}

/** What the core does with `value` for `dtype`: the element it stores (as a JS value), or its error. */
function coreOutcome(dtype: DType, value: Value): Outcome {
  let printed: string;
  try {
    printed = formatValue(dtype, value);
  } catch (error) {
    const { code, message } = error as CodedError;
    return { code, message };
  }
  return { stored: text(parsePrinted(dtype, printed)) };
}

function parsePrinted(dtype: DType, printed: string): Value {
  if (bigOf(dtype)) return BigInt(printed);
  // A float16, bfloat16 or float80 text is the shortest for that type: it is read in it.
  if (ADDON_DTYPES.includes(dtype)) return parseValue(dtype, printed) as number;
  const named: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity };
  const number = named[printed] ?? Number(printed);
  return dtype === 'float32' ? Math.fround(number) : number;
}

/** The element at `index` as the file holds it (read from disk, not from the mapping). */
function fromFile(file: string, dtype: DType, index: number): Value {
  const bytes = fs.readFileSync(file);
  const itemsize = DTYPES.find((info) => info.name === dtype)!.itemsize;
  const at = index * itemsize;
  switch (dtype) {
    case 'int8':
      return bytes.readInt8(at);
    case 'uint8':
      return bytes.readUInt8(at);
    case 'int16':
      return bytes.readInt16LE(at);
    case 'uint16':
      return bytes.readUInt16LE(at);
    case 'int32':
      return bytes.readInt32LE(at);
    case 'uint32':
      return bytes.readUInt32LE(at);
    case 'int64':
      return bytes.readBigInt64LE(at);
    case 'uint64':
      return bytes.readBigUInt64LE(at);
    case 'float32':
      return bytes.readFloatLE(at);
    case 'float64':
      return bytes.readDoubleLE(at);
    default:
      // float16, bfloat16, float80: decoded by the core, from the file's bytes.
      return addon.nearestNumbers(dtype, bytes.subarray(at, at + itemsize))[0];
  }
}

/** Numbers and bigints at and around every dtype's bounds, plus the usual suspects. */
function candidates(): Value[] {
  const values: Value[] = [
    0,
    -0,
    1,
    -1,
    0.5,
    1.5,
    -0.5,
    0.1,
    1 / 3,
    1e-50,
    Number.MIN_VALUE,
    NaN,
    Infinity,
    -Infinity,
    2 ** 24 + 1,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    1e20,
    -1e20,
    1e39,
    -1e39,
    3.4028234663852886e38,
    -3.4028234663852886e38,
    // Past float32's largest finite value but rounding down to it, and the first value that
    // rounds to infinity: the core takes the first and refuses the second.
    3.4028235e38,
    3.4028235677973366e38,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    0n,
    1n,
    -1n,
    2n ** 24n + 1n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 53n + 1n,
    2n ** 63n - 1n,
    2n ** 63n,
    -(2n ** 63n),
    -(2n ** 63n) - 1n,
    2n ** 64n - 1n,
    2n ** 64n,
    2n ** 200n,
    -(2n ** 200n),
  ];
  for (const info of DTYPES) {
    for (const bound of [info.min, info.max]) {
      if (typeof bound === 'bigint') values.push(bound, bound - 1n, bound + 1n, Number(bound));
      else values.push(bound, bound - 1, bound + 1, Number.isSafeInteger(bound) ? BigInt(bound) : 0n);
    }
  }
  return values;
}

describe.each(ALL_DTYPES)('%s: every value is stored or refused exactly as the core does', (dtype) => {
  const values = candidates();

  it('set(i, v)', () => {
    const { v, file } = open(dtype, [zeroOf(dtype), zeroOf(dtype)]);
    for (const value of values) {
      const expected = coreOutcome(dtype, value);
      expect(
        outcome(
          () => v.set(1, value),
          () => v.get(1),
        ),
        `set(1, ${String(value)})`,
      ).toEqual(expected);
      if ('stored' in expected)
        expect(text(fromFile(file, dtype, 1)), `${String(value)} in the file`).toBe(expected.stored);
    }
    v.close();
  });

  it('setMany(indices, values)', () => {
    const { v, file } = open(dtype, [zeroOf(dtype), zeroOf(dtype)]);
    for (const value of values) {
      const expected = coreOutcome(dtype, value);
      const before = fs.readFileSync(file);
      const got = outcome(
        () => v.setMany([0, 1], [zeroOf(dtype), value]),
        () => v.get(1),
      );
      expect(got, `setMany([0, 1], [0, ${String(value)}])`).toEqual(expected);
      if ('stored' in expected) expect(text(fromFile(file, dtype, 1))).toBe(expected.stored);
      else expect(fs.readFileSync(file).equals(before), 'a refused setMany writes nothing').toBe(true);
    }
    v.close();
  });

  it('push(v) and pushArray([v, v])', () => {
    const { v, file } = open(dtype, []);
    for (const value of values) {
      const expected = coreOutcome(dtype, value);
      const length = v.length;
      expect(
        outcome(
          () => v.push(value),
          () => v.get(length),
        ),
        `push(${String(value)})`,
      ).toEqual(expected);
      expect(v.length).toBe('stored' in expected ? length + 1 : length);
      if ('stored' in expected) expect(text(fromFile(file, dtype, length))).toBe(expected.stored);
      const pairs = outcome(
        () => v.pushArray([value, value]),
        () => v.get(v.length - 1),
      );
      expect(pairs, `pushArray([${String(value)}, ${String(value)}])`).toEqual(expected);
    }
    expect(fs.statSync(file).size).toBe(v.length * DTYPES.find((info) => info.name === dtype)!.itemsize);
    v.close();
  });

  it('refuses index -1, the length, 1.5 and NaN with the core error, and writes nothing', () => {
    const { v, file } = open(dtype, [zeroOf(dtype), zeroOf(dtype)]);
    const one = bigOf(dtype) ? 1n : 1;
    const before = fs.readFileSync(file);
    const cases: [number, string, string][] = [
      [-1, 'ERR_MMVEC_BAD_INDEX', 'index -1 is not a non-negative safe integer'],
      [2, 'ERR_MMVEC_OUT_OF_RANGE', 'index 2 is out of range for length 2'],
      [1.5, 'ERR_MMVEC_BAD_INDEX', 'index 1.5 is not a non-negative safe integer'],
      [NaN, 'ERR_MMVEC_BAD_INDEX', 'index nan is not a non-negative safe integer'],
    ];
    for (const [index, code, message] of cases) {
      expect(
        outcome(
          () => v.set(index, one),
          () => one,
        ),
      ).toEqual({ code, message });
      expect(
        outcome(
          () => v.setMany([0, index], [one, one]),
          () => one,
        ),
      ).toEqual({ code, message });
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    v.close();
  });

  it('refuses values that are not numbers or bigints', () => {
    const { v } = open(dtype, [zeroOf(dtype)]);
    const shown: [unknown, string][] = [
      ['1', 'type string'],
      [null, 'null'],
      [undefined, 'type undefined'],
      [true, 'type boolean'],
      [{}, 'type object'],
    ];
    for (const [value, received] of shown) {
      const message = `The "value" argument must be of type number or bigint. Received ${received}`;
      expect(
        outcome(
          () => v.set(0, value as Value),
          () => 0,
        ),
      ).toEqual({ code: 'ERR_INVALID_ARG_TYPE', message });
      expect(
        outcome(
          () => v.push(value as Value),
          () => 0,
        ),
      ).toEqual({
        code: 'ERR_INVALID_ARG_TYPE',
        message: message.replace('"value"', '"values[0]"'),
      });
    }
    v.close();
  });

  it('closed: every write throws ERR_MMVEC_CLOSED', () => {
    const { v } = open(dtype, [zeroOf(dtype)]);
    v.get(0); // the cache is built
    v.close();
    const closed = { code: 'ERR_MMVEC_CLOSED', message: 'vector is closed' };
    const zero = zeroOf(dtype);
    expect(
      outcome(
        () => v.set(0, zero),
        () => 0,
      ),
    ).toEqual(closed);
    expect(
      outcome(
        () => v.setMany([0], [zero]),
        () => 0,
      ),
    ).toEqual(closed);
    expect(
      outcome(
        () => v.setMany([], []),
        () => 0,
      ),
    ).toEqual(closed);
    expect(
      outcome(
        () => v.push(zero),
        () => 0,
      ),
    ).toEqual(closed);
    expect(
      outcome(
        () => v.push(zero, zero),
        () => 0,
      ),
    ).toEqual(closed);
    expect(
      outcome(
        () => v.push(),
        () => 0,
      ),
    ).toEqual(closed);
    expect(
      outcome(
        () => v.pushArray([zero]),
        () => 0,
      ),
    ).toEqual(closed);
  });

  it('mode r: writes are refused and never reach the private mapping', () => {
    const { v: writer, file } = open(dtype, [zeroOf(dtype)]);
    const reader = MmapVector.open<DType>(file, { dtype, mode: 'r' });
    const [five, seven] = bigOf(dtype) ? [5n, 7n] : [5, 7];
    expect(reader.get(0)).toBe(zeroOf(dtype));
    const readOnly = { code: 'ERR_MMVEC_READ_ONLY', message: 'vector is read-only' };
    expect(
      outcome(
        () => reader.set(0, five),
        () => 0,
      ),
    ).toEqual(readOnly);
    expect(
      outcome(
        () => reader.setMany([0], [five]),
        () => 0,
      ),
    ).toEqual(readOnly);
    expect(
      outcome(
        () => reader.push(five),
        () => 0,
      ),
    ).toEqual(readOnly);
    expect(
      outcome(
        () => reader.pushArray([five, five]),
        () => 0,
      ),
    ).toEqual(readOnly);
    // Had a store reached the reader's copy-on-write page, it would no longer follow the file.
    writer.set(0, seven);
    expect(reader.get(0)).toBe(seven);
    expect(fromFile(file, dtype, 0)).toBe(seven);
    reader.close();
    writer.close();
  });
});

describe('the cached view follows the mapping', () => {
  it('after growth past the reservation (a remap), old and new elements are written to the file', () => {
    const { v, file } = open('float64', [1]);
    expect(v.get(0)).toBe(1); // the cache covers one element
    const n = 100_000; // 800 kB: past the first 64 KiB reservation, so the mapping moves
    v.pushArray(new Float64Array(n - 1));
    v.set(0, 2.5);
    v.set(n - 1, 3.5);
    v.setMany([1, n - 2], [4.5, 5.5]);
    expect(v.push(6.5)).toBe(n + 1);
    v.set(n, 7.5);
    v.close();
    const stored = new Float64Array(new Uint8Array(fs.readFileSync(file)).buffer);
    expect(stored.length).toBe(n + 1);
    expect([stored[0], stored[1], stored[n - 2], stored[n - 1], stored[n]]).toEqual([2.5, 4.5, 5.5, 3.5, 7.5]);
  });

  it("a caller's view is kept: writes past it go to the addon, writes inside it are seen through it", () => {
    const { v, file } = open('int32', [1, 2]);
    const view = v.view();
    v.push(3, 4);
    v.set(3, 40);
    v.set(0, 10);
    v.setMany([1, 2], [20, 30]);
    expect(Array.from(view as Int32Array)).toEqual([10, 20]);
    expect(v.slice()).toEqual(new Int32Array([10, 20, 30, 40]));
    expect(Array.from(new Int32Array(new Uint8Array(fs.readFileSync(file)).buffer))).toEqual([10, 20, 30, 40]);
    v.close();
    expect(view.length).toBe(0);
  });

  it('after pop and clear, writes past the new end are refused and earlier ones land', () => {
    const { v, file } = open('uint16', [1, 2, 3]);
    v.set(2, 30);
    expect(v.pop()).toBe(30);
    expect(
      outcome(
        () => v.set(2, 1),
        () => 0,
      ),
    ).toEqual({
      code: 'ERR_MMVEC_OUT_OF_RANGE',
      message: 'index 2 is out of range for length 2',
    });
    v.set(1, 20);
    expect(v.clear()).toBe(2);
    expect(
      outcome(
        () => v.set(0, 1),
        () => 0,
      ),
    ).toEqual({
      code: 'ERR_MMVEC_OUT_OF_RANGE',
      message: 'index 0 is out of range for length 0',
    });
    v.push(9);
    v.set(0, 90);
    v.close();
    expect(Array.from(new Uint16Array(new Uint8Array(fs.readFileSync(file)).buffer))).toEqual([90]);
  });

  it('a loop of push(v) and set(length - 1, w) lands every write, across cache refreshes', () => {
    const { v, file } = open('float32', []);
    for (let k = 0; k < 1000; k++) {
      const length = v.push(k);
      v.set(length - 1, k + 0.5);
      expect(v.get(length - 1)).toBe(k + 0.5);
    }
    v.close();
    const stored = new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer);
    expect(Array.from(stored)).toEqual(Array.from({ length: 1000 }, (_, k) => k + 0.5));
  });

  it('setMany with a repeated index keeps the last value, as the core does', () => {
    const { v } = open('int8', [0, 0]);
    v.setMany([1, 1, 0], [5, -6, 7]);
    expect([...v]).toEqual([7, -6]);
    v.close();
  });

  it('push of many values appends them with one write, all or nothing', () => {
    const { v, file } = open('int64', [1n]);
    expect(v.push(2n, 3, -(2n ** 63n))).toBe(4);
    expect(
      outcome(
        () => v.push(4n, 2n ** 63n),
        () => 0n,
      ),
    ).toEqual({
      code: 'ERR_MMVEC_BAD_VALUE',
      message: "value '9223372036854775808' is not valid for int64: out of range",
    });
    expect(v.pushArray([5, 6n])).toBe(6);
    v.close();
    const stored = new BigInt64Array(new Uint8Array(fs.readFileSync(file)).buffer);
    expect(Array.from(stored)).toEqual([1n, 2n, 3n, -(2n ** 63n), 5n, 6n]);
  });
});

describe('which writes reach the addon', () => {
  // set and setMany store through the view; push and pushArray make one appendBytesTo call each.
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(VIEW_DTYPES)('%s: valid writes inside the view make no per-value addon call', (dtype) => {
    const { v } = open(dtype, [zeroOf(dtype), zeroOf(dtype)]);
    const one = bigOf(dtype) ? 1n : 1;
    const set = vi.spyOn(addon.NativeVector.prototype, 'set');
    const setMany = vi.spyOn(addon.NativeVector.prototype, 'setMany');
    const push = vi.spyOn(addon.NativeVector.prototype, 'push');
    const appendBytesTo = vi.spyOn(addon, 'appendBytesTo');
    v.set(1, one);
    // A number into a bigint type, and a bigint into a narrow integer type, too.
    const float = DTYPES.find((info) => info.name === dtype)!.kind === 'float';
    v.set(0, bigOf(dtype) ? 1 : float ? 0.5 : 1n);
    v.setMany([0, 1], [one, one]);
    v.push(one);
    v.push(one, one);
    v.pushArray([one, 1]);
    expect(set).not.toHaveBeenCalled();
    expect(setMany).not.toHaveBeenCalled();
    expect(push).not.toHaveBeenCalled();
    expect(appendBytesTo).toHaveBeenCalledTimes(3);
    // A value the table's bounds leave out goes to the addon, which refuses it.
    expect(() => v.set(0, 2n ** 64n)).toThrow(expect.objectContaining({ code: 'ERR_MMVEC_BAD_VALUE' }));
    expect(set).toHaveBeenCalledTimes(1);
    expect(v.length).toBe(7);
    v.close();
  });

  it.each(ADDON_DTYPES)('%s: every write goes to the addon (the typed array holds bits, not values)', (dtype) => {
    const { v } = open(dtype, [0, 0]);
    const set = vi.spyOn(addon.NativeVector.prototype, 'set');
    const setMany = vi.spyOn(addon.NativeVector.prototype, 'setMany');
    const push = vi.spyOn(addon.NativeVector.prototype, 'push');
    const appendBytesTo = vi.spyOn(addon, 'appendBytesTo');
    v.set(1, 1.5);
    v.setMany([0, 1], [1, 2]);
    v.push(1);
    v.pushArray([1, 2]);
    expect([set, setMany, push].map((spy) => spy.mock.calls.length)).toEqual([1, 1, 2]);
    expect(appendBytesTo).not.toHaveBeenCalled();
    expect([...v]).toEqual([1, 2, 1, 1, 2]);
    v.close();
  });
});
