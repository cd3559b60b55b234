/**
 * Every bad-input path of MmapVector: the exact `code` and the exact `message`, and that a
 * failed write leaves the file byte-identical.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CodedError, type DType, type Mode, MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();
const packageRoot = path.resolve(__dirname, '../..');

type Value = number | bigint;
type AnyVector = MmapVector<DType>;

/** Runs `fn`, which must throw an Error whose `code` and `message` are exactly these. */
function expectCode(fn: () => unknown, code: string, message: string): CodedError {
  let caught: unknown;
  let threw = false;
  try {
    fn();
  } catch (error) {
    threw = true;
    caught = error;
  }
  expect(threw, `expected ${code} to be thrown`).toBe(true);
  expect(caught).toBeInstanceOf(Error);
  const error = caught as CodedError;
  expect({ code: error.code, message: error.message }).toEqual({ code, message });
  return error;
}

/** As expectCode, for a function that fails by returning a rejected promise (or throwing). */
async function expectCodeAsync(fn: () => Promise<unknown>, code: string, message: string): Promise<void> {
  let caught: unknown;
  let threw = false;
  try {
    await fn();
  } catch (error) {
    threw = true;
    caught = error;
  }
  expect(threw, `expected ${code}`).toBe(true);
  expect(caught).toBeInstanceOf(Error);
  const error = caught as CodedError;
  expect({ code: error.code, message: error.message }).toEqual({ code, message });
}

function vector(dtype: DType, values: Value[] = [], mode?: Mode): { v: AnyVector; file: string } {
  const file = tmp.file();
  const v = MmapVector.open<DType>(file, { dtype });
  if (values.length > 0) v.pushArray(values);
  if (mode !== undefined) {
    v.close();
    return { v: MmapVector.open<DType>(file, { dtype, mode }), file };
  }
  return { v, file };
}

function floats(values: number[] = [1, 2, 3, 4, 5]): { v: AnyVector; file: string } {
  return vector('float64', values);
}

/** Runs `fn` (which must throw `code`/`message`) and checks the file did not change at all. */
function expectUntouched(file: string, v: AnyVector, fn: () => unknown, code: string, message: string): void {
  const before = fs.readFileSync(file);
  const length = v.length;
  expectCode(fn, code, message);
  expect(v.length).toBe(length);
  const after = fs.readFileSync(file);
  expect(after.equals(before), 'file is byte-identical').toBe(true);
}

const INT_LIMITS: [DType, number, number][] = [
  ['int8', -128, 127],
  ['uint8', 0, 255],
  ['int16', -32768, 32767],
  ['uint16', 0, 65535],
  ['int32', -2147483648, 2147483647],
  ['uint32', 0, 4294967295],
];
const INT_DTYPES: DType[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];
const ALL_DTYPES: DType[] = [...INT_DTYPES, 'float32', 'float64'];
const zeroOf = (dtype: DType): Value => (dtype === 'int64' || dtype === 'uint64' ? 0n : 0);

describe('ERR_MMVEC_OUT_OF_RANGE', () => {
  it('get past the end', () => {
    const { v } = floats();
    expectCode(() => v.get(5), 'ERR_MMVEC_OUT_OF_RANGE', 'index 5 is out of range for length 5');
    expectCode(() => v.get(10), 'ERR_MMVEC_OUT_OF_RANGE', 'index 10 is out of range for length 5');
    expectCode(
      () => v.get(2 ** 53 - 1),
      'ERR_MMVEC_OUT_OF_RANGE',
      'index 9007199254740991 is out of range for length 5',
    );
    v.close();
  });

  it('get on an empty vector, for every dtype', () => {
    for (const dtype of ALL_DTYPES) {
      const { v } = vector(dtype);
      expectCode(() => v.get(0), 'ERR_MMVEC_OUT_OF_RANGE', 'index 0 is out of range for length 0');
      v.close();
    }
  });

  it('set past the end', () => {
    const { v, file } = floats();
    expectUntouched(file, v, () => v.set(10, 1), 'ERR_MMVEC_OUT_OF_RANGE', 'index 10 is out of range for length 5');
    expectUntouched(file, v, () => v.set(5, 1), 'ERR_MMVEC_OUT_OF_RANGE', 'index 5 is out of range for length 5');
    v.close();
  });

  it('getMany names the first bad index', () => {
    const { v } = floats();
    expectCode(() => v.getMany([0, 10]), 'ERR_MMVEC_OUT_OF_RANGE', 'index 10 is out of range for length 5');
    expectCode(() => v.getMany([7, 0, 9]), 'ERR_MMVEC_OUT_OF_RANGE', 'index 7 is out of range for length 5');
    v.close();
  });

  it('setMany writes nothing when any index is past the end', () => {
    const { v, file } = floats();
    expectUntouched(
      file,
      v,
      () => v.setMany([0, 1, 10], [7, 8, 9]),
      'ERR_MMVEC_OUT_OF_RANGE',
      'index 10 is out of range for length 5',
    );
    expect([...v]).toEqual([1, 2, 3, 4, 5]);
    v.close();
  });

  it('the read-only fast path of get (a typed array) still throws past the end in mode r', () => {
    const { v } = vector('int32', [1, 2], 'r');
    expect(v.get(1)).toBe(2);
    expectCode(() => v.get(2), 'ERR_MMVEC_OUT_OF_RANGE', 'index 2 is out of range for length 2');
    v.close();
  });
});

describe('ERR_MMVEC_BAD_INDEX', () => {
  const bad: [number, string][] = [
    [1.5, 'index 1.5 is not a non-negative safe integer'],
    [0.1, 'index 0.1 is not a non-negative safe integer'],
    [-1, 'index -1 is not a non-negative safe integer'],
    [-2.5, 'index -2.5 is not a non-negative safe integer'],
    [NaN, 'index nan is not a non-negative safe integer'],
    [Infinity, 'index inf is not a non-negative safe integer'],
    [-Infinity, 'index -inf is not a non-negative safe integer'],
  ];

  it.each(bad)('get(%s)', (index, message) => {
    const { v } = floats();
    expectCode(() => v.get(index), 'ERR_MMVEC_BAD_INDEX', message);
    v.close();
  });

  it.each(bad)('set(%s, 1)', (index, message) => {
    const { v, file } = floats();
    expectUntouched(file, v, () => v.set(index, 1), 'ERR_MMVEC_BAD_INDEX', message);
    v.close();
  });

  it.each(bad)('getMany([0, %s])', (index, message) => {
    const { v } = floats();
    expectCode(() => v.getMany([0, index]), 'ERR_MMVEC_BAD_INDEX', message);
    v.close();
  });

  it.each(bad)('setMany([0, %s], [7, 8])', (index, message) => {
    const { v, file } = floats();
    expectUntouched(file, v, () => v.setMany([0, index], [7, 8]), 'ERR_MMVEC_BAD_INDEX', message);
    v.close();
  });

  it('a bad index is reported even on an empty vector (before the range check)', () => {
    const { v } = floats([]);
    expectCode(() => v.get(0.5), 'ERR_MMVEC_BAD_INDEX', 'index 0.5 is not a non-negative safe integer');
    v.close();
  });

  it('indices past Number.MAX_SAFE_INTEGER are bad indices', () => {
    const { v } = floats();
    for (const index of [2 ** 53, 1e300]) {
      expect(() => v.get(index)).toThrow(expect.objectContaining({ code: 'ERR_MMVEC_BAD_INDEX' }));
      expect(() => v.set(index, 1)).toThrow(expect.objectContaining({ code: 'ERR_MMVEC_BAD_INDEX' }));
    }
    v.close();
  });

  it('an unsafe integer index is not called a non-integer in the message', () => {
    const { v } = floats();
    try {
      expectCode(
        () => v.get(2 ** 53),
        'ERR_MMVEC_BAD_INDEX',
        'index 9007199254740992 is not a non-negative safe integer',
      );
    } finally {
      v.close();
    }
  });
});

describe('ERR_MMVEC_BAD_VALUE', () => {
  describe.each(INT_LIMITS)('%s [%d, %d]', (dtype, min, max) => {
    it('refuses min - 1 and max + 1 in set, setMany, push and pushArray', () => {
      const { v, file } = vector(dtype, [0, 1]);
      for (const value of [min - 1, max + 1]) {
        const message = `value '${value}' is not valid for ${dtype}: out of range`;
        expectUntouched(file, v, () => v.set(0, value), 'ERR_MMVEC_BAD_VALUE', message);
        expectUntouched(file, v, () => v.setMany([1, 0], [1, value]), 'ERR_MMVEC_BAD_VALUE', message);
        expectUntouched(file, v, () => v.push(1, value), 'ERR_MMVEC_BAD_VALUE', message);
        expectUntouched(file, v, () => v.pushArray([1, value]), 'ERR_MMVEC_BAD_VALUE', message);
        expectUntouched(file, v, () => v.pushArray(new Float64Array([1, value])), 'ERR_MMVEC_BAD_VALUE', message);
      }
      // The limits themselves are fine.
      v.set(0, min);
      v.set(1, max);
      expect([...v]).toEqual([min, max]);
      v.close();
    });

    it('refuses values far out of range and bigints out of range', () => {
      const { v, file } = vector(dtype, [0]);
      expectUntouched(
        file,
        v,
        () => v.set(0, 1e20),
        'ERR_MMVEC_BAD_VALUE',
        `value '1e20' is not valid for ${dtype}: out of range`,
      );
      expectUntouched(
        file,
        v,
        () => v.set(0, -1e39),
        'ERR_MMVEC_BAD_VALUE',
        `value '-1e39' is not valid for ${dtype}: out of range`,
      );
      expectUntouched(
        file,
        v,
        () => v.set(0, BigInt(max) + 1n),
        'ERR_MMVEC_BAD_VALUE',
        `value '${BigInt(max) + 1n}' is not valid for ${dtype}: out of range`,
      );
      expectUntouched(
        file,
        v,
        () => v.set(0, 2n ** 64n),
        'ERR_MMVEC_BAD_VALUE',
        `value '18446744073709551616' is not valid for ${dtype}: out of range`,
      );
      // In-range bigints are accepted for the narrower integer types.
      v.set(0, BigInt(max));
      expect(v.get(0)).toBe(max);
      v.close();
    });
  });

  it('int64 refuses values outside [-2^63, 2^63 - 1], as bigint and as number', () => {
    const { v, file } = vector('int64', [0n]);
    expectUntouched(
      file,
      v,
      () => v.set(0, 2n ** 63n),
      'ERR_MMVEC_BAD_VALUE',
      "value '9223372036854775808' is not valid for int64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, -(2n ** 63n) - 1n),
      'ERR_MMVEC_BAD_VALUE',
      "value '-9223372036854775809' is not valid for int64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, 2n ** 64n),
      'ERR_MMVEC_BAD_VALUE',
      "value '18446744073709551616' is not valid for int64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, 2 ** 63),
      'ERR_MMVEC_BAD_VALUE',
      "value '9.223372036854776e18' is not valid for int64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.push(1n, 2n ** 63n),
      'ERR_MMVEC_BAD_VALUE',
      "value '9223372036854775808' is not valid for int64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray(new BigUint64Array([1n, 2n ** 64n - 1n])),
      'ERR_MMVEC_BAD_VALUE',
      "value '18446744073709551615' is not valid for int64: out of range",
    );
    v.close();
  });

  it('uint64 refuses negatives and values past 2^64 - 1, as bigint and as number', () => {
    const { v, file } = vector('uint64', [0n]);
    expectUntouched(
      file,
      v,
      () => v.set(0, -1n),
      'ERR_MMVEC_BAD_VALUE',
      "value '-1' is not valid for uint64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, 2n ** 64n),
      'ERR_MMVEC_BAD_VALUE',
      "value '18446744073709551616' is not valid for uint64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, -1),
      'ERR_MMVEC_BAD_VALUE',
      "value '-1' is not valid for uint64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, 2 ** 64),
      'ERR_MMVEC_BAD_VALUE',
      "value '1.8446744073709552e19' is not valid for uint64: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray(new BigInt64Array([1n, -5n])),
      'ERR_MMVEC_BAD_VALUE',
      "value '-5' is not valid for uint64: out of range",
    );
    v.close();
  });

  it('huge bigints are printed in full', () => {
    const { v, file } = vector('int64', [0n]);
    const huge = 2n ** 200n;
    expectUntouched(
      file,
      v,
      () => v.set(0, huge),
      'ERR_MMVEC_BAD_VALUE',
      `value '${huge}' is not valid for int64: out of range`,
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, -huge),
      'ERR_MMVEC_BAD_VALUE',
      `value '${-huge}' is not valid for int64: out of range`,
    );
    v.close();
  });

  it.each(INT_DTYPES)('%s refuses fractional, NaN and infinite values', (dtype) => {
    const { v, file } = vector(dtype, [zeroOf(dtype)]);
    const cases: [number, string][] = [
      [1.5, '1.5'],
      [-0.5, '-0.5'],
      [1e-50, '1e-50'],
      [NaN, 'nan'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
    ];
    for (const [value, text] of cases) {
      const message = `value '${text}' is not valid for ${dtype}: not an integer`;
      expectUntouched(file, v, () => v.set(0, value), 'ERR_MMVEC_BAD_VALUE', message);
      expectUntouched(file, v, () => v.push(value), 'ERR_MMVEC_BAD_VALUE', message);
      expectUntouched(file, v, () => v.pushArray([0, value]), 'ERR_MMVEC_BAD_VALUE', message);
      expectUntouched(file, v, () => v.setMany([0], [value]), 'ERR_MMVEC_BAD_VALUE', message);
    }
    // Whole numbers are fine, including -0 and, for 64-bit types, numbers past 2^53.
    v.set(0, -0);
    expect(v.get(0)).toBe(zeroOf(dtype));
    v.close();
  });

  it('float32 refuses finite values beyond its range but takes infinities and rounds the rest', () => {
    const { v, file } = vector('float32', [0]);
    expectUntouched(
      file,
      v,
      () => v.set(0, 1e39),
      'ERR_MMVEC_BAD_VALUE',
      "value '1e39' is not valid for float32: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, -1e39),
      'ERR_MMVEC_BAD_VALUE',
      "value '-1e39' is not valid for float32: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.set(0, 3.5e38),
      'ERR_MMVEC_BAD_VALUE',
      "value '3.5e38' is not valid for float32: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.push(1, Number.MAX_VALUE),
      'ERR_MMVEC_BAD_VALUE',
      "value '1.7976931348623157e308' is not valid for float32: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray(new Float64Array([1, 1e39])),
      'ERR_MMVEC_BAD_VALUE',
      "value '1e39' is not valid for float32: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.setMany([0], [1e39]),
      'ERR_MMVEC_BAD_VALUE',
      "value '1e39' is not valid for float32: out of range",
    );
    v.set(0, Infinity);
    expect(v.get(0)).toBe(Infinity);
    v.set(0, 3.4028234663852886e38);
    expect(v.get(0)).toBe(3.4028234663852886e38);
    v.set(0, 0.1);
    expect(v.get(0)).toBe(Math.fround(0.1));
    v.close();
  });

  it('float64 takes every number', () => {
    const { v } = vector('float64', [0]);
    for (const value of [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, -0]) {
      v.set(0, value);
      expect(v.get(0)).toBe(value);
    }
    v.close();
  });

  // Bigints must fit 64 bits, and an integer stored in a float type must be exact.
  it('float types refuse bigints they cannot hold exactly', () => {
    const { v } = vector('float64', [0]);
    try {
      expectCode(
        () => v.set(0, (2n ** 64n) as unknown as number),
        'ERR_MMVEC_BAD_VALUE',
        "value '18446744073709551616' is not valid for float64: out of range",
      );
      expectCode(
        () => v.set(0, 9007199254740993n as unknown as number),
        'ERR_MMVEC_BAD_VALUE',
        "value '9007199254740993' is not valid for float64: not exactly representable",
      );
      v.set(0, 9007199254740992n as unknown as number);
      expect(v.get(0)).toBe(2 ** 53);
    } finally {
      v.close();
    }
  });

  it('set with a value that is not a number or bigint', () => {
    const { v, file } = floats();
    const message = (shown: string) => `The "value" argument must be of type number or bigint. Received ${shown}`;
    expectUntouched(file, v, () => v.set(0, '1' as unknown as number), 'ERR_INVALID_ARG_TYPE', message('type string'));
    expectUntouched(file, v, () => v.set(0, null as unknown as number), 'ERR_INVALID_ARG_TYPE', message('null'));
    expectUntouched(
      file,
      v,
      () => v.set(0, undefined as unknown as number),
      'ERR_INVALID_ARG_TYPE',
      message('type undefined'),
    );
    expectUntouched(file, v, () => v.set(0, {} as unknown as number), 'ERR_INVALID_ARG_TYPE', message('type object'));
    expectUntouched(file, v, () => v.set(0, [1] as unknown as number), 'ERR_INVALID_ARG_TYPE', message('an array'));
    expectUntouched(
      file,
      v,
      () => v.set(0, true as unknown as number),
      'ERR_INVALID_ARG_TYPE',
      message('type boolean'),
    );
    v.close();
  });

  it('array arguments that are not array-like', () => {
    const { v, file } = floats();
    const message = (name: string, shown: string) =>
      `The "${name}" argument must be an array or typed array. Received ${shown}`;
    expectCode(() => v.getMany(null as unknown as number[]), 'ERR_INVALID_ARG_TYPE', message('indices', 'null'));
    expectCode(() => v.getMany(5 as unknown as number[]), 'ERR_INVALID_ARG_TYPE', message('indices', 'type number'));
    expectCode(() => v.getMany('01' as unknown as number[]), 'ERR_INVALID_ARG_TYPE', message('indices', 'type string'));
    expectCode(
      () => v.getMany(undefined as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('indices', 'type undefined'),
    );
    expectUntouched(
      file,
      v,
      () => v.setMany(null as unknown as number[], [1]),
      'ERR_INVALID_ARG_TYPE',
      message('indices', 'null'),
    );
    expectUntouched(
      file,
      v,
      () => v.setMany([0], null as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('values', 'null'),
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray(null as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('values', 'null'),
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray(5 as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('values', 'type number'),
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray({} as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('values', 'type object'),
    );
    v.close();
  });

  it('array elements that are not numbers or bigints name their position', () => {
    const { v, file } = floats();
    const message = (name: string, shown: string) =>
      `The "${name}" argument must be of type number or bigint. Received ${shown}`;
    expectUntouched(
      file,
      v,
      () => v.setMany([0, 1], [1, 'x'] as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('values[1]', 'type string'),
    );
    expectUntouched(
      file,
      v,
      () => v.push(1, 2, 'x' as unknown as number),
      'ERR_INVALID_ARG_TYPE',
      message('values[2]', 'type string'),
    );
    expectUntouched(
      file,
      v,
      () => v.push(null as unknown as number),
      'ERR_INVALID_ARG_TYPE',
      message('values[0]', 'null'),
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray(['x'] as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('values[0]', 'type string'),
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray([1, undefined] as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      message('values[1]', 'type undefined'),
    );
    v.close();
  });

  it('getMany with a non-number index gives ERR_INVALID_ARG_TYPE naming the position', () => {
    const { v } = floats();
    try {
      expectCode(
        () => v.getMany(['1'] as unknown as number[]),
        'ERR_INVALID_ARG_TYPE',
        'The "indices[0]" argument must be of type number. Received type string',
      );
    } finally {
      v.close();
    }
  });

  it('setMany with a non-number index gives ERR_INVALID_ARG_TYPE naming the position', () => {
    const { v } = floats();
    try {
      expectCode(
        () => v.setMany([0, '1'] as unknown as number[], [1, 2]),
        'ERR_INVALID_ARG_TYPE',
        'The "indices[1]" argument must be of type number. Received type string',
      );
    } finally {
      v.close();
    }
  });

  it('open with a non-string path gives ERR_INVALID_ARG_TYPE', () => {
    expectCode(
      () => MmapVector.open(5 as unknown as string),
      'ERR_INVALID_ARG_TYPE',
      'The "path" argument must be of type string. Received type number',
    );
  });

  it('open with a non-string dtype gives ERR_INVALID_ARG_TYPE', () => {
    expectCode(
      () => MmapVector.open(tmp.file(), { dtype: 5 as unknown as DType }),
      'ERR_INVALID_ARG_TYPE',
      'The "dtype" argument must be of type string. Received type number',
    );
  });

  it('open with a non-string mode gives ERR_INVALID_ARG_TYPE', () => {
    expectCode(
      () => MmapVector.open(tmp.file(), { mode: 5 as unknown as Mode }),
      'ERR_INVALID_ARG_TYPE',
      'The "mode" argument must be of type string. Received type number',
    );
  });
});

describe('ERR_MMVEC_LENGTH_MISMATCH', () => {
  it('setMany with more indices than values, or fewer', () => {
    const { v, file } = floats();
    expectUntouched(file, v, () => v.setMany([0, 1], [9]), 'ERR_MMVEC_LENGTH_MISMATCH', '2 indices but 1 values');
    expectUntouched(file, v, () => v.setMany([0], [9, 8, 7]), 'ERR_MMVEC_LENGTH_MISMATCH', '1 indices but 3 values');
    expectUntouched(file, v, () => v.setMany([], [9]), 'ERR_MMVEC_LENGTH_MISMATCH', '0 indices but 1 values');
    v.close();
  });
});

describe('ERR_MMVEC_BAD_DTYPE and ERR_MMVEC_BAD_MODE', () => {
  const expected =
    '(expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N>)';

  it.each(['complex128', 'float8', '', 'int', 'f 64'])('unknown dtype %j', (name) => {
    const file = tmp.file();
    expectCode(
      () => MmapVector.open(file, { dtype: name as DType }),
      'ERR_MMVEC_BAD_DTYPE',
      `unknown dtype '${name}' ${expected}`,
    );
    expect(fs.existsSync(file), 'no file is created').toBe(false);
  });

  it.each(['rw', 'R', 'w', 'r+w', '', 'a+'])('unknown mode %j', (name) => {
    const file = tmp.file();
    expectCode(
      () => MmapVector.open(file, { mode: name as Mode }),
      'ERR_MMVEC_BAD_MODE',
      `unknown mode '${name}' (expected one of r, r+, w+, a)`,
    );
    expect(fs.existsSync(file), 'no file is created').toBe(false);
  });
});

describe('files that cannot be opened', () => {
  it.each(['r', 'r+'] as const)('a missing file in mode %s is ENOENT and is not created', (mode) => {
    const file = tmp.file('missing.bin');
    expectCode(() => MmapVector.open(file, { mode }), 'ENOENT', `no such file or directory: ${file}`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it.each(['r', 'r+', 'w+', 'a'] as const)('a missing parent directory in mode %s is ENOENT', (mode) => {
    const file = tmp.file('no-such-dir', 'x.bin');
    expectCode(() => MmapVector.open(file, { mode }), 'ENOENT', `no such file or directory: ${file}`);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it.each(['r', 'r+', 'w+', 'a'] as const)('a directory in mode %s is ERR_MMVEC_NOT_REGULAR_FILE', (mode) => {
    const dir = tmp.file('a-directory');
    fs.mkdirSync(dir);
    expectCode(() => MmapVector.open(dir, { mode }), 'ERR_MMVEC_NOT_REGULAR_FILE', `not a regular file: ${dir}`);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
  });

  it.each(['r', 'r+', 'w+', 'a'] as const)('/dev/null in mode %s is ERR_MMVEC_NOT_REGULAR_FILE', (mode) => {
    expectCode(
      () => MmapVector.open('/dev/null', { mode }),
      'ERR_MMVEC_NOT_REGULAR_FILE',
      'not a regular file: /dev/null',
    );
  });

  it('a FIFO is refused without blocking', (ctx) => {
    const fifo = tmp.file('fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) ctx.skip();
    for (const mode of ['r', 'r+', 'w+', 'a'] as const) {
      expectCode(() => MmapVector.open(fifo, { mode }), 'ERR_MMVEC_NOT_REGULAR_FILE', `not a regular file: ${fifo}`);
    }
  });

  describe('ERR_MMVEC_BAD_SIZE leaves the file untouched', () => {
    const sizes: [DType, number, number][] = [
      ['float64', 13, 8],
      ['int64', 9, 8],
      ['uint64', 15, 8],
      ['float32', 6, 4],
      ['int32', 7, 4],
      ['uint32', 5, 4],
      ['int16', 3, 2],
      ['uint16', 1, 2],
    ];

    it.each(sizes)('%s with %d bytes', (dtype, size, itemsize) => {
      const file = tmp.file('odd.bin');
      const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (i * 37 + 11) & 0xff));
      fs.writeFileSync(file, bytes);
      for (const mode of ['r', 'r+', 'a'] as const) {
        expectCode(
          () => MmapVector.open(file, { dtype, mode }),
          'ERR_MMVEC_BAD_SIZE',
          `size of ${file} is ${size} bytes, not a multiple of ${itemsize} (${dtype})`,
        );
        expect(fs.readFileSync(file).equals(bytes), `mode ${mode}: file unchanged`).toBe(true);
      }
      // The failed writable opens left no lock behind; a byte-sized dtype fits any size.
      const asBytes = MmapVector.open(file, { dtype: 'uint8', mode: 'r+' });
      expect(asBytes.length).toBe(size);
      expect(Buffer.from(asBytes.slice().buffer).equals(bytes)).toBe(true);
      asBytes.close();
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    });

    it('w+ truncates instead (its documented behaviour), so a wrong size is no error there', () => {
      const file = tmp.file('odd.bin');
      fs.writeFileSync(file, Buffer.alloc(13, 1));
      const v = MmapVector.open(file, { mode: 'w+' });
      expect(v.length).toBe(0);
      v.close();
      expect(fs.statSync(file).size).toBe(0);
    });
  });
});

describe('ERR_MMVEC_READ_ONLY', () => {
  it('every write on a mode r vector fails and the file is untouched', () => {
    for (const dtype of ALL_DTYPES) {
      const one: Value = zeroOf(dtype) === 0n ? 1n : 1;
      const { v, file } = vector(dtype, [one, one], 'r');
      const message = 'vector is read-only';
      expectUntouched(file, v, () => v.set(0, one), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.setMany([0], [one]), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.push(one), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.push(), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.pushArray([one]), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.pushArray(v.slice(0, 1)), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.pushArray(v.slice(0, 0)), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.pop(), 'ERR_MMVEC_READ_ONLY', message);
      expectUntouched(file, v, () => v.clear(), 'ERR_MMVEC_READ_ONLY', message);
      // Reads and flushes are fine.
      expect([...v]).toEqual([one, one]);
      expect(() => v.flush()).not.toThrow();
      v.close();
    }
  });

  it('flushAsync on a mode r vector resolves', async () => {
    const { v } = vector('float64', [1], 'r');
    await expect(v.flushAsync()).resolves.toBeUndefined();
    v.close();
  });

  it('pop and clear on an empty mode r vector are still read-only errors', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.alloc(0));
    const v = MmapVector.open(file, { mode: 'r' });
    expectCode(() => v.pop(), 'ERR_MMVEC_READ_ONLY', 'vector is read-only');
    expectCode(() => v.clear(), 'ERR_MMVEC_READ_ONLY', 'vector is read-only');
    v.close();
  });
});

describe('ERR_MMVEC_CLOSED', () => {
  const closedCalls: [string, (v: AnyVector) => unknown][] = [
    ['length', (v) => v.length],
    ['dtype', (v) => v.dtype],
    ['path', (v) => v.path],
    ['mode', (v) => v.mode],
    ['get(0)', (v) => v.get(0)],
    ['get(100)', (v) => v.get(100)],
    ['get(1.5)', (v) => v.get(1.5)],
    ['getMany([0])', (v) => v.getMany([0])],
    ['getMany([])', (v) => v.getMany([])],
    ['set', (v) => v.set(0, 1)],
    ['setMany', (v) => v.setMany([0], [1])],
    ['push(1)', (v) => v.push(1)],
    ['push()', (v) => v.push()],
    ['pushArray(typed)', (v) => v.pushArray(new Float64Array([1]))],
    ['pushArray(plain)', (v) => v.pushArray([1])],
    ['pop', (v) => v.pop()],
    ['clear', (v) => v.clear()],
    ['slice', (v) => v.slice()],
    ['slice(1, 2)', (v) => v.slice(1, 2)],
    ['view', (v) => v.view()],
    ['flush', (v) => v.flush()],
    ['spread', (v) => [...v]],
  ];

  for (const mode of ['a', 'r'] as const) {
    it.each(closedCalls)(`%s on a closed mode ${mode} vector`, (_name, call) => {
      const { v } = vector('float64', [1, 2, 3], mode);
      v.close();
      expect(v.closed).toBe(true);
      expectCode(() => call(v), 'ERR_MMVEC_CLOSED', 'vector is closed');
    });
  }

  it('a vector closed by Symbol.dispose is closed too', () => {
    const { v } = floats();
    v[Symbol.dispose]();
    expectCode(() => v.get(0), 'ERR_MMVEC_CLOSED', 'vector is closed');
    expectCode(() => v.push(1), 'ERR_MMVEC_CLOSED', 'vector is closed');
  });

  it('flushAsync on a closed vector fails with ERR_MMVEC_CLOSED', async () => {
    const { v } = floats();
    v.close();
    await expectCodeAsync(() => v.flushAsync(), 'ERR_MMVEC_CLOSED', 'vector is closed');
  });

  it('flushAsync on a closed vector returns a rejected promise rather than throwing', async () => {
    const { v } = floats();
    v.close();
    let promise: Promise<void> | undefined;
    expect(() => {
      promise = v.flushAsync();
    }).not.toThrow();
    await expect(promise).rejects.toMatchObject({ code: 'ERR_MMVEC_CLOSED', message: 'vector is closed' });
  });

  it('close, closed and Symbol.dispose never throw', () => {
    const { v } = floats();
    v.close();
    expect(() => v.close()).not.toThrow();
    expect(() => v[Symbol.dispose]()).not.toThrow();
    expect(v.closed).toBe(true);
  });
});

describe('flushAsync while other calls happen', () => {
  it('get, set, push and close work while a flushAsync() is pending', async () => {
    const { v } = floats();
    const pending = v.flushAsync();
    try {
      v.set(0, 9);
      expect(v.get(0)).toBe(9);
      expect(v.push(6)).toBe(6);
      v.close();
    } finally {
      await pending;
      v.close();
    }
  });

  it('after flushAsync() settles, writes and close work', async () => {
    const { v, file } = floats();
    await v.flushAsync();
    v.set(0, 9);
    expect(v.push(6)).toBe(6);
    v.close();
    expect(new Float64Array(new Uint8Array(fs.readFileSync(file)).buffer)).toEqual(
      new Float64Array([9, 2, 3, 4, 5, 6]),
    );
  });
});

describe('ERR_MMVEC_LOCKED: one writer per file', () => {
  it.each(['a', 'r+', 'w+'] as const)('a second writer in the same process (mode %s) is refused', (mode) => {
    const { v, file } = floats();
    const before = fs.readFileSync(file);
    expectCode(() => MmapVector.open(file, { mode }), 'ERR_MMVEC_LOCKED', `${file} is locked by another writer`);
    // w+ must not truncate a file it could not lock.
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(v.length).toBe(5);
    v.close();
    const second = MmapVector.open(file, { mode });
    expect(second.length).toBe(mode === 'w+' ? 0 : 5);
    second.close();
  });

  it('a reader alongside a writer is allowed', () => {
    const { v: writer, file } = floats();
    const reader = MmapVector.open(file, { mode: 'r' });
    expect(reader.length).toBe(5);
    expect([...reader]).toEqual([1, 2, 3, 4, 5]);
    writer.set(0, 10);
    expect(reader.get(0)).toBe(10);
    const second = MmapVector.open(file, { mode: 'r' });
    expect(second.get(0)).toBe(10);
    second.close();
    reader.close();
    writer.close();
  });

  it('a writer can open while readers are open', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.from(new Float64Array([1, 2]).buffer));
    const reader = MmapVector.open(file, { mode: 'r' });
    const writer = MmapVector.open(file, { mode: 'r+' });
    writer.set(1, 20);
    expect(reader.get(1)).toBe(20);
    writer.close();
    reader.close();
  });

  // The policy (docs/API.md): handles never share state. A reader keeps the length the
  // file had when it opened, and a writer refuses to shrink the file while any reader, in
  // this process or another, has it mapped, so a reader never reads a truncated page.
  it('a reader keeps the length it opened with', () => {
    const { v: writer, file } = floats([1, 2]);
    const reader = MmapVector.open(file, { mode: 'r' });
    try {
      writer.push(3, 4, 5);
      expect(reader.length).toBe(2);
      expectCode(() => reader.get(4), 'ERR_MMVEC_OUT_OF_RANGE', 'index 4 is out of range for length 2');
    } finally {
      reader.close();
      writer.close();
    }
  });

  it('a writer refuses to shrink a file a reader in the same process has mapped, so the reader never crashes', () => {
    const file = tmp.file();
    const script = `
      const { MmapVector } = require(process.env.MMVEC_ROOT);
      const file = process.env.MMVEC_FILE;
      const writer = MmapVector.open(file);
      writer.pushArray(new Float64Array(10000).fill(1.5));
      const reader = MmapVector.open(file, { mode: 'r' });
      reader.get(9999);
      for (const shrink of [() => writer.clear(), () => writer.pop()]) {
        try { shrink(); console.log('shrank'); } catch (e) { console.log(e.code); }
      }
      console.log(reader.get(9999), writer.length);
      reader.close();
      console.log(writer.clear());
    `;
    const child = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, MMVEC_ROOT: packageRoot, MMVEC_FILE: file },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n')).toEqual([
      'ERR_MMVEC_HAS_READERS',
      'ERR_MMVEC_HAS_READERS',
      '1.5 10000',
      '10000',
    ]);
  });

  describe('across processes', () => {
    /** Opens `file` in a child Node process, pushes 7, and prints "OK <length>" or "<code>: <message>". */
    function child(file: string, mode: Mode) {
      const script = `
        const { MmapVector } = require(process.env.MMVEC_ROOT);
        try {
          const v = MmapVector.open(process.env.MMVEC_FILE, { mode: process.env.MMVEC_MODE });
          if (v.mode !== 'r') v.push(7);
          console.log('OK ' + v.length + ' ' + JSON.stringify([...v]));
          v.close();
        } catch (e) {
          console.log(e.code + ': ' + e.message);
          process.exitCode = 3;
        }
      `;
      const result = spawnSync(process.execPath, ['-e', script], {
        env: { ...process.env, MMVEC_ROOT: packageRoot, MMVEC_FILE: file, MMVEC_MODE: mode },
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { status: result.status, signal: result.signal, stdout: result.stdout.trim(), stderr: result.stderr };
    }

    it.each(['a', 'r+', 'w+'] as const)(
      'a writer in a child process (mode %s) gets ERR_MMVEC_LOCKED until the parent closes',
      (mode) => {
        const { v, file } = floats([1, 2]);
        const before = fs.readFileSync(file);
        const locked = child(file, mode);
        expect({ status: locked.status, signal: locked.signal, stdout: locked.stdout }, locked.stderr).toEqual({
          status: 3,
          signal: null,
          stdout: `ERR_MMVEC_LOCKED: ${file} is locked by another writer`,
        });
        expect(fs.readFileSync(file).equals(before)).toBe(true);
        expect([...v]).toEqual([1, 2]);
        v.close();
        const free = child(file, mode);
        expect(free.status, free.stderr).toBe(0);
        expect(free.stdout).toBe(mode === 'w+' ? 'OK 1 [7]' : 'OK 3 [1,2,7]');
        const after = MmapVector.open(file, { mode: 'r' });
        expect([...after]).toEqual(mode === 'w+' ? [7] : [1, 2, 7]);
        after.close();
      },
    );

    it('a reader in a child process is allowed while the parent writes', () => {
      const { v, file } = floats([1, 2]);
      v.flush();
      const reader = child(file, 'r');
      expect(reader.status, reader.stderr).toBe(0);
      expect(reader.stdout).toBe('OK 2 [1,2]');
      v.close();
    });

    it('a parent reader does not block a child writer', () => {
      const file = tmp.file();
      fs.writeFileSync(file, Buffer.from(new Float64Array([1]).buffer));
      const reader = MmapVector.open(file, { mode: 'r' });
      const writer = child(file, 'a');
      expect(writer.status, writer.stderr).toBe(0);
      expect(writer.stdout).toBe('OK 2 [1,7]');
      reader.close();
    });
  });
});

describe('all-or-nothing writes', () => {
  it('a failing setMany writes none of its pairs', () => {
    const { v, file } = vector('int32', [1, 2, 3, 4]);
    expectUntouched(
      file,
      v,
      () => v.setMany([0, 1, 2], [10, 20, 2.5]),
      'ERR_MMVEC_BAD_VALUE',
      "value '2.5' is not valid for int32: not an integer",
    );
    expectUntouched(
      file,
      v,
      () => v.setMany([0, 1, 9], [10, 20, 30]),
      'ERR_MMVEC_OUT_OF_RANGE',
      'index 9 is out of range for length 4',
    );
    expectUntouched(
      file,
      v,
      () => v.setMany([0, -1], [10, 20]),
      'ERR_MMVEC_BAD_INDEX',
      'index -1 is not a non-negative safe integer',
    );
    expectUntouched(
      file,
      v,
      () => v.setMany([0, 1], [10, 2 ** 31]),
      'ERR_MMVEC_BAD_VALUE',
      "value '2147483648' is not valid for int32: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.setMany([0, 1], [10, '20' as unknown as number]),
      'ERR_INVALID_ARG_TYPE',
      'The "values[1]" argument must be of type number or bigint. Received type string',
    );
    expectUntouched(
      file,
      v,
      () => v.setMany([0, 1, 2], [10, 20]),
      'ERR_MMVEC_LENGTH_MISMATCH',
      '3 indices but 2 values',
    );
    expect([...v]).toEqual([1, 2, 3, 4]);
    v.close();
  });

  it('a failing push appends nothing', () => {
    const { v, file } = vector('uint8', [1, 2]);
    expectUntouched(
      file,
      v,
      () => v.push(3, 4, 300),
      'ERR_MMVEC_BAD_VALUE',
      "value '300' is not valid for uint8: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.push(3, -1),
      'ERR_MMVEC_BAD_VALUE',
      "value '-1' is not valid for uint8: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.push(3, 'x' as unknown as number),
      'ERR_INVALID_ARG_TYPE',
      'The "values[1]" argument must be of type number or bigint. Received type string',
    );
    expect([...v]).toEqual([1, 2]);
    v.close();
    const reopened = MmapVector.open(file, { dtype: 'uint8', mode: 'r' });
    expect(reopened.length).toBe(2);
    reopened.close();
  });

  it('a failing push of bigints appends nothing', () => {
    const { v, file } = vector('int64', [1n]);
    expectUntouched(
      file,
      v,
      () => v.push(2n, 3n, 2n ** 64n),
      'ERR_MMVEC_BAD_VALUE',
      "value '18446744073709551616' is not valid for int64: out of range",
    );
    expect([...v]).toEqual([1n]);
    v.close();
  });

  it('a failing pushArray appends nothing', () => {
    const { v, file } = vector('int16', [1]);
    expectUntouched(
      file,
      v,
      () => v.pushArray([2, 3, 1.5]),
      'ERR_MMVEC_BAD_VALUE',
      "value '1.5' is not valid for int16: not an integer",
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray(new Int32Array([2, 40000])),
      'ERR_MMVEC_BAD_VALUE',
      "value '40000' is not valid for int16: out of range",
    );
    expectUntouched(
      file,
      v,
      () => v.pushArray([2, null] as unknown as number[]),
      'ERR_INVALID_ARG_TYPE',
      'The "values[1]" argument must be of type number or bigint. Received null',
    );
    expect([...v]).toEqual([1]);
    v.close();
  });

  it('a failing pushArray of a foreign typed array appends nothing (float32, uint64)', () => {
    const f = vector('float32', [1]);
    expectUntouched(
      f.file,
      f.v,
      () => f.v.pushArray(new Float64Array([2, 1e39])),
      'ERR_MMVEC_BAD_VALUE',
      "value '1e39' is not valid for float32: out of range",
    );
    f.v.close();
    const u = vector('uint64', [1n]);
    expectUntouched(
      u.file,
      u.v,
      () => u.v.pushArray(new BigInt64Array([2n, -1n])),
      'ERR_MMVEC_BAD_VALUE',
      "value '-1' is not valid for uint64: out of range",
    );
    u.v.close();
  });

  it('a failing set writes nothing', () => {
    const { v, file } = vector('int8', [5]);
    expectUntouched(
      file,
      v,
      () => v.set(0, 128),
      'ERR_MMVEC_BAD_VALUE',
      "value '128' is not valid for int8: out of range",
    );
    expect(v.get(0)).toBe(5);
    v.close();
  });
});
