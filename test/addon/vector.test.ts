/**
 * MmapVector: every method and getter, for every dtype, and the dtype aliases.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ArrayOf, type DType, type Mode, MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();

type Value = number | bigint;
type AnyVector = MmapVector<DType>;
type AnyTypedArray = ArrayOf<DType>;

interface TypedArrayClass {
  new (length: number): AnyTypedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

interface Case {
  dtype: DType;
  itemsize: number;
  array: TypedArrayClass;
  /** Sample values, including the type's extremes. */
  values: Value[];
  /** A value to write with set(), not among `values`. */
  other: Value;
  /** pushArray with a typed array of another type (or a plain array of numbers), and what it stores. */
  foreign: { input: ArrayLike<Value>; stored: Value[] };
}

const cases: Case[] = [
  {
    dtype: 'int8',
    itemsize: 1,
    array: Int8Array,
    values: [-128, 127, 0, -1, 42],
    other: -7,
    foreign: { input: new Int16Array([-5, 100, 0]), stored: [-5, 100, 0] },
  },
  {
    dtype: 'uint8',
    itemsize: 1,
    array: Uint8Array,
    values: [0, 255, 1, 128, 42],
    other: 200,
    foreign: { input: new Float64Array([3, 254, 0]), stored: [3, 254, 0] },
  },
  {
    dtype: 'int16',
    itemsize: 2,
    array: Int16Array,
    values: [-32768, 32767, 0, -1, 1234],
    other: -4321,
    foreign: { input: new Int8Array([-128, 127, 5]), stored: [-128, 127, 5] },
  },
  {
    dtype: 'uint16',
    itemsize: 2,
    array: Uint16Array,
    values: [0, 65535, 1, 32768, 1234],
    other: 54321,
    foreign: { input: new Uint32Array([65535, 0, 9]), stored: [65535, 0, 9] },
  },
  {
    dtype: 'int32',
    itemsize: 4,
    array: Int32Array,
    values: [-2147483648, 2147483647, 0, -1, 123456],
    other: -987654,
    foreign: { input: new Float64Array([-2147483648, 2147483647, 3]), stored: [-2147483648, 2147483647, 3] },
  },
  {
    dtype: 'uint32',
    itemsize: 4,
    array: Uint32Array,
    values: [0, 4294967295, 1, 2147483648, 123456],
    other: 3000000000,
    foreign: { input: new Float32Array([1, 16777216, 0.0]), stored: [1, 16777216, 0] },
  },
  {
    dtype: 'int64',
    itemsize: 8,
    array: BigInt64Array,
    values: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 9007199254740993n],
    other: -123456789012345678n,
    // Numbers are accepted for 64-bit types when they are whole; bigints come back.
    foreign: { input: new Float64Array([1, -2, 2 ** 53]), stored: [1n, -2n, 2n ** 53n] },
  },
  {
    dtype: 'uint64',
    itemsize: 8,
    array: BigUint64Array,
    values: [0n, 2n ** 64n - 1n, 1n, 2n ** 63n, 9007199254740993n],
    other: 12345678901234567890n,
    foreign: { input: new BigInt64Array([0n, 7n, 2n ** 63n - 1n]), stored: [0n, 7n, 2n ** 63n - 1n] },
  },
  {
    dtype: 'float32',
    itemsize: 4,
    array: Float32Array,
    values: [
      -3.4028234663852886e38,
      3.4028234663852886e38,
      0,
      1.5,
      -2.25,
      1.401298464324817e-45,
      Infinity,
      -Infinity,
      NaN,
    ],
    other: 0.375,
    // Rounded to the nearest float32, as a Float32Array would.
    foreign: { input: new Float64Array([0.1, -1e30, 7]), stored: [Math.fround(0.1), Math.fround(-1e30), 7] },
  },
  {
    dtype: 'float64',
    itemsize: 8,
    array: Float64Array,
    values: [-Number.MAX_VALUE, Number.MAX_VALUE, 0, 0.1, -1 / 3, Number.MIN_VALUE, Infinity, -Infinity, NaN],
    other: Math.PI,
    foreign: { input: new Float32Array([0.1, -2.5]), stored: [Math.fround(0.1), -2.5] },
  },
];

/** The typed array a case's values make, as the file's bytes should hold them. */
function typed(c: Case, values: readonly Value[]): AnyTypedArray {
  const out = new c.array(values.length);
  values.forEach((value, i) => {
    (out as unknown as Value[])[i] = value;
  });
  return out;
}

function bytesOf(array: AnyTypedArray): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function open(c: Case, file: string, mode?: Mode): AnyVector {
  return MmapVector.open<DType>(file, mode === undefined ? { dtype: c.dtype } : { dtype: c.dtype, mode });
}

describe('MmapVector.open defaults', () => {
  it('creates a float64 vector in mode a with the given path', () => {
    const file = tmp.file('default.bin');
    const v = MmapVector.open(file);
    expect(fs.existsSync(file)).toBe(true);
    expect(v.length).toBe(0);
    expect(v.dtype).toBe('float64');
    expect(v.mode).toBe('a');
    expect(v.path).toBe(file);
    expect(v.closed).toBe(false);
    expect(v.push(1.25)).toBe(1);
    expect(v.get(0)).toBe(1.25);
    v.close();
    expect(fs.statSync(file).size).toBe(8);
  });

  it('accepts an empty options object', () => {
    const v = MmapVector.open(tmp.file(), {});
    expect([v.dtype, v.mode]).toEqual(['float64', 'a']);
    v.close();
  });
});

describe('modes', () => {
  it('a creates a missing file and keeps an existing one', () => {
    const file = tmp.file();
    const v = MmapVector.open(file, { mode: 'a' });
    v.push(1, 2);
    v.close();
    const again = MmapVector.open(file, { mode: 'a' });
    expect(again.mode).toBe('a');
    expect([...again]).toEqual([1, 2]);
    again.close();
  });

  it('w+ creates a missing file and truncates an existing one', () => {
    const file = tmp.file();
    const created = MmapVector.open(file, { mode: 'w+' });
    expect(created.mode).toBe('w+');
    created.push(1, 2, 3);
    created.close();
    expect(fs.statSync(file).size).toBe(24);
    const truncated = MmapVector.open(file, { mode: 'w+' });
    expect(truncated.length).toBe(0);
    expect(fs.statSync(file).size).toBe(0);
    truncated.push(9);
    truncated.close();
    expect([...fs.readFileSync(file)]).toEqual([...Buffer.from(new Float64Array([9]).buffer)]);
  });

  it('r+ opens an existing file read-write without truncating it', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.from(new Float64Array([4, 5]).buffer));
    const v = MmapVector.open(file, { mode: 'r+' });
    expect(v.mode).toBe('r+');
    expect([...v]).toEqual([4, 5]);
    v.set(0, 40);
    expect(v.push(6)).toBe(3);
    v.close();
    expect(new Float64Array(new Uint8Array(fs.readFileSync(file)).buffer)).toEqual(new Float64Array([40, 5, 6]));
  });

  it('r opens an existing file read-only', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.from(new Int16Array([-1, 2, 3]).buffer));
    const v = MmapVector.open(file, { dtype: 'int16', mode: 'r' });
    expect(v.mode).toBe('r');
    expect(v.length).toBe(3);
    expect([...v]).toEqual([-1, 2, 3]);
    expect(v.slice()).toEqual(new Int16Array([-1, 2, 3]));
    v.close();
  });

  it('r opens an empty file as an empty vector', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.alloc(0));
    const v = MmapVector.open(file, { mode: 'r' });
    expect(v.length).toBe(0);
    expect(v.view().length).toBe(0);
    expect(v.slice().length).toBe(0);
    expect([...v]).toEqual([]);
    v.close();
  });
});

describe('dtype aliases', () => {
  const aliases: [string, DType, number][] = [
    ['i8', 'int8', 1],
    ['u8', 'uint8', 1],
    ['i16', 'int16', 2],
    ['u16', 'uint16', 2],
    ['i32', 'int32', 4],
    ['u32', 'uint32', 4],
    ['i64', 'int64', 8],
    ['u64', 'uint64', 8],
    ['f32', 'float32', 4],
    ['f64', 'float64', 8],
    ['float', 'float32', 4],
    ['double', 'float64', 8],
    // Names are case-insensitive.
    ['FLOAT64', 'float64', 8],
    ['Int16', 'int16', 2],
    ['U64', 'uint64', 8],
  ];

  it.each(aliases)('%s is %s', (alias, canonical, itemsize) => {
    const file = tmp.file();
    // An alias outside the DTypeAlias type (upper case) still works at run time.
    const v = MmapVector.open(file, { dtype: alias as DType });
    expect(v.dtype).toBe(canonical);
    const one = canonical === 'int64' || canonical === 'uint64' ? 1n : 1;
    v.push(one);
    expect(v.get(0)).toBe(one);
    expect(v.view()).toBeInstanceOf(cases.find((c) => c.dtype === canonical)?.array ?? Object);
    v.close();
    expect(fs.statSync(file).size).toBe(itemsize);
  });

  it('every canonical name maps to itself', () => {
    for (const c of cases) {
      const v = MmapVector.open(tmp.file(), { dtype: c.dtype });
      expect(v.dtype).toBe(c.dtype);
      v.close();
    }
  });
});

describe.each(cases)('$dtype', (c) => {
  const n = c.values.length;
  const last = c.values[n - 1] as Value;

  it('open: length, dtype, path, mode, closed', () => {
    const file = tmp.file();
    const v = open(c, file);
    expect(v.length).toBe(0);
    expect(v.dtype).toBe(c.dtype);
    expect(v.path).toBe(file);
    expect(v.mode).toBe('a');
    expect(v.closed).toBe(false);
    v.close();
    expect(v.closed).toBe(true);
  });

  it('push appends values and returns the new length; get reads them back', () => {
    const file = tmp.file();
    const v = open(c, file);
    expect(v.push()).toBe(0);
    expect(v.push(c.values[0] as Value)).toBe(1);
    expect(v.push(...c.values.slice(1))).toBe(n);
    expect(v.length).toBe(n);
    c.values.forEach((value, i) => expect(v.get(i)).toBe(value));
    // -0 is index 0.
    expect(v.get(-0)).toBe(c.values[0]);
    expect(fs.statSync(file).size).toBe(n * c.itemsize);
    expect(fs.readFileSync(file).equals(bytesOf(typed(c, c.values)))).toBe(true);
    v.close();
  });

  it('pushArray with a matching typed array (and a subarray) writes its bytes', () => {
    const file = tmp.file();
    const v = open(c, file);
    const array = typed(c, c.values);
    expect(v.pushArray(array)).toBe(n);
    // A subarray with a byte offset: only its own elements are appended.
    const sub = array.subarray(1, 3);
    expect(v.pushArray(sub)).toBe(n + 2);
    expect(v.pushArray(new c.array(0))).toBe(n + 2);
    const expected = [...c.values, c.values[1] as Value, c.values[2] as Value];
    expect(v.slice()).toEqual(typed(c, expected));
    expect(fs.readFileSync(file).equals(bytesOf(typed(c, expected)))).toBe(true);
    v.close();
  });

  it('pushArray with a plain array', () => {
    const v = open(c, tmp.file());
    expect(v.pushArray([...c.values])).toBe(n);
    expect(v.pushArray([])).toBe(n);
    expect([...v]).toEqual(c.values);
    v.close();
  });

  it('pushArray with another kind of typed array converts each value', () => {
    const v = open(c, tmp.file());
    expect(v.pushArray(c.foreign.input)).toBe(c.foreign.stored.length);
    expect([...v]).toEqual(c.foreign.stored);
    v.close();
  });

  it('pushArray of its own view appends a copy of itself', () => {
    const v = open(c, tmp.file());
    v.pushArray(typed(c, c.values));
    expect(v.pushArray(v.view())).toBe(2 * n);
    expect([...v]).toEqual([...c.values, ...c.values]);
    v.close();
  });

  it('set and setMany overwrite in place; getMany gathers', () => {
    const file = tmp.file();
    const v = open(c, file);
    v.pushArray(typed(c, c.values));
    v.set(1, c.other);
    expect(v.get(1)).toBe(c.other);
    v.setMany([0, n - 1], [c.other, c.values[0] as Value]);
    expect(v.get(0)).toBe(c.other);
    expect(v.get(n - 1)).toBe(c.values[0]);
    // Typed arrays as arguments, and no-op empty lists.
    v.setMany(new Uint8Array([2]), [c.other]);
    expect(v.get(2)).toBe(c.other);
    v.setMany([], []);
    expect(v.length).toBe(n);

    const many = v.getMany([n - 1, 0, 2, 0]);
    expect(many).toBeInstanceOf(c.array);
    expect(many).toEqual(typed(c, [c.values[0] as Value, c.other, c.other, c.other]));
    expect(v.getMany(new Float64Array([1]))).toEqual(typed(c, [c.other]));
    const empty = v.getMany([]);
    expect(empty).toBeInstanceOf(c.array);
    expect(empty.length).toBe(0);

    const expected = [...c.values];
    expected[0] = c.other;
    expected[1] = c.other;
    expected[2] = c.other;
    expected[n - 1] = c.values[0] as Value;
    expect(fs.readFileSync(file).equals(bytesOf(typed(c, expected)))).toBe(true);
    v.close();
  });

  it('pop removes and returns the last value and shrinks the file', () => {
    const file = tmp.file();
    const v = open(c, file);
    v.pushArray(typed(c, c.values));
    expect(v.pop()).toBe(last);
    expect(v.length).toBe(n - 1);
    expect(fs.statSync(file).size).toBe((n - 1) * c.itemsize);
    for (let i = n - 2; i >= 0; i--) expect(v.pop()).toBe(c.values[i]);
    expect(v.length).toBe(0);
    // Popping an empty vector returns nothing and changes nothing (that the "nothing" is
    // `null` rather than the documented `undefined` is checked in its own test below).
    expect(v.pop() ?? undefined).toBeUndefined();
    expect(v.length).toBe(0);
    expect(fs.statSync(file).size).toBe(0);
    v.close();
  });

  it('clear empties the vector and the file, returning the old length', () => {
    const file = tmp.file();
    const v = open(c, file);
    v.pushArray(typed(c, c.values));
    expect(v.clear()).toBe(n);
    expect(v.length).toBe(0);
    expect(fs.statSync(file).size).toBe(0);
    expect(v.clear()).toBe(0);
    expect(v.push(c.other)).toBe(1);
    expect([...v]).toEqual([c.other]);
    v.close();
  });

  it('slice copies with Array.prototype.slice rules', () => {
    const v = open(c, tmp.file());
    v.pushArray(typed(c, c.values));
    const args: [number?, number?][] = [
      [],
      [0],
      [1],
      [1, 3],
      [-2],
      [-3, -1],
      [0, -1],
      [-100],
      [-100, 2],
      [100],
      [2, 100],
      [0, 100],
      [3, 1],
      [n, n],
      [1.7, 3.9],
      [-1.5],
      [NaN],
      [NaN, 2],
      [0, NaN],
      [Infinity],
      [-Infinity, Infinity],
      [0, -Infinity],
      [undefined, 2],
      [1e300],
      [-1e300, 1e300],
    ];
    for (const [start, end] of args) {
      const got = v.slice(start, end);
      expect(got, `slice(${start}, ${end})`).toBeInstanceOf(c.array);
      expect(got, `slice(${start}, ${end})`).toEqual(typed(c, c.values.slice(start, end)));
    }
    // A copy: writing to it changes nothing in the vector.
    const copy = v.slice();
    (copy as unknown as Value[])[0] = c.other;
    expect(v.get(0)).toBe(c.values[0]);
    v.close();
  });

  it('view is a typed array over the elements', () => {
    const v = open(c, tmp.file());
    expect(v.view().length).toBe(0);
    v.pushArray(typed(c, c.values));
    const view = v.view();
    expect(view).toBeInstanceOf(c.array);
    expect(view.length).toBe(n);
    expect(view).toEqual(typed(c, c.values));
    v.close();
  });

  it('iterates with for..of, spread and Array.from', () => {
    const v = open(c, tmp.file());
    expect([...v]).toEqual([]);
    v.pushArray(typed(c, c.values));
    const seen: Value[] = [];
    for (const value of v) seen.push(value as Value);
    expect(seen).toEqual(c.values);
    expect([...v]).toEqual(c.values);
    expect(Array.from(v)).toEqual(c.values);
    v.close();
  });

  it('flush and flushAsync write the values to the file', async () => {
    const file = tmp.file();
    const v = open(c, file);
    v.pushArray(typed(c, c.values));
    v.set(0, c.other);
    expect(v.flush()).toBeUndefined();
    const expected = [c.other, ...c.values.slice(1)];
    expect(fs.readFileSync(file).equals(bytesOf(typed(c, expected)))).toBe(true);
    v.set(1, c.other);
    const promise = v.flushAsync();
    expect(promise).toBeInstanceOf(Promise);
    await expect(promise).resolves.toBeUndefined();
    expected[1] = c.other;
    expect(fs.readFileSync(file).equals(bytesOf(typed(c, expected)))).toBe(true);
    v.close();
  });

  it('close twice is harmless, releases the lock, and the data stays', () => {
    const file = tmp.file();
    const v = open(c, file);
    v.pushArray(typed(c, c.values));
    v.close();
    expect(v.closed).toBe(true);
    expect(() => v.close()).not.toThrow();
    expect(v.closed).toBe(true);
    const again = open(c, file, 'r+');
    expect(again.length).toBe(n);
    expect([...again]).toEqual(c.values);
    again.close();
  });

  it('Symbol.dispose closes the vector', () => {
    const file = tmp.file();
    const v = open(c, file);
    v.push(c.other);
    v[Symbol.dispose]();
    expect(v.closed).toBe(true);
    expect(() => v[Symbol.dispose]()).not.toThrow();
    const again = open(c, file);
    expect([...again]).toEqual([c.other]);
    again[Symbol.dispose]();
  });

  it('reopens in every mode with the same values', () => {
    const file = tmp.file();
    const v = open(c, file, 'w+');
    v.pushArray(typed(c, c.values));
    v.close();
    for (const mode of ['r', 'r+', 'a'] as const) {
      const again = open(c, file, mode);
      expect(again.mode).toBe(mode);
      expect(again.length).toBe(n);
      expect(again.slice()).toEqual(typed(c, c.values));
      expect(again.view()).toEqual(typed(c, c.values));
      expect(again.getMany([n - 1])).toEqual(typed(c, [last]));
      expect(again.get(n - 1)).toBe(last);
      again.close();
    }
  });
});

it('pop on an empty vector returns undefined, as documented and typed', () => {
  for (const c of cases) {
    const v = open(c, tmp.file());
    try {
      expect(v.pop(), c.dtype).toBeUndefined();
    } finally {
      v.close();
    }
  }
});
