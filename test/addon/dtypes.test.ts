/**
 * The core's dtype table and value text as the addon exports them, and the structured
 * fields (`path`, `size`, `dtype`, `value`, `reason`) its errors carry.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CodedError,
  DTYPES,
  DTYPE_FAMILIES,
  MmapVector,
  canonicalDtype,
  dtypeOfNpyDescr,
  formatValue,
  npyDescr,
  parseValue,
} from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();

/** The error `fn` throws. */
function thrown(fn: () => unknown): CodedError {
  try {
    fn();
  } catch (error) {
    return error as CodedError;
  }
  throw new Error('expected an error');
}

describe('the dtype table', () => {
  it('names, aliases, item sizes, kinds and bounds, in the core order', () => {
    expect(DTYPES.map(({ name, aliases, itemsize, kind }) => [name, aliases, itemsize, kind])).toEqual([
      ['int8', ['i8'], 1, 'int'],
      ['uint8', ['u8'], 1, 'uint'],
      ['int16', ['i16'], 2, 'int'],
      ['uint16', ['u16'], 2, 'uint'],
      ['int32', ['i32'], 4, 'int'],
      ['uint32', ['u32'], 4, 'uint'],
      ['int64', ['i64'], 8, 'int'],
      ['uint64', ['u64'], 8, 'uint'],
      ['float32', ['f32', 'float'], 4, 'float'],
      ['float64', ['f64', 'double'], 8, 'float'],
      ['float16', ['f16', 'half'], 2, 'float'],
      ['bfloat16', ['bf16'], 2, 'float'],
      ['float80', ['long_double', 'longdouble', 'float128'], 16, 'float'],
    ]);
    const bounds = Object.fromEntries(DTYPES.map(({ name, min, max }) => [name, [min, max]]));
    expect(bounds).toEqual({
      int8: [-128, 127],
      uint8: [0, 255],
      int16: [-32768, 32767],
      uint16: [0, 65535],
      int32: [-(2 ** 31), 2 ** 31 - 1],
      uint32: [0, 2 ** 32 - 1],
      int64: [-(2n ** 63n), 2n ** 63n - 1n],
      uint64: [0n, 2n ** 64n - 1n],
      float32: [-3.4028234663852886e38, 3.4028234663852886e38],
      float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
      float16: [-65504, 65504],
      bfloat16: [-3.3895313892515355e38, 3.3895313892515355e38],
      // float80's largest finite values are past the doubles': their nearest numbers.
      float80: [-Infinity, Infinity],
    });
  });

  it('the bytes<N> family: its prefixes, the full version name and the width range', () => {
    expect(DTYPE_FAMILIES).toEqual([
      { prefix: 'bytes', aliasPrefixes: ['S'], sizedAlias: 'string', kind: 'bytes', minWidth: 1, maxWidth: 65536 },
    ]);
    expect(canonicalDtype('S8')).toBe('bytes8');
    expect(canonicalDtype('BYTES65536')).toBe('bytes65536');
    const cases: [string, string][] = [
      ['bytes0', 'bad dtype width 0: bytes<N> takes 1 to 65536 bytes'],
      ['S65537', 'bad dtype width 65537: bytes<N> takes 1 to 65536 bytes'],
      [
        'string',
        "unknown dtype 'string' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N>)",
      ],
    ];
    for (const [name, message] of cases) {
      const error = thrown(() => canonicalDtype(name));
      expect({ code: error.code, message: error.message }, name).toEqual({ code: 'ERR_MMVEC_BAD_DTYPE', message });
    }
  });

  it('npyDescr and dtypeOfNpyDescr are the core descrs; bfloat16 has none', () => {
    const descrs = DTYPES.filter((info) => info.name !== 'bfloat16').map((info) => npyDescr(info.name));
    expect(descrs).toEqual(['|i1', '|u1', '<i2', '<u2', '<i4', '<u4', '<i8', '<u8', '<f4', '<f8', '<f2', '<f16']);
    expect(npyDescr('bytes8')).toBe('|S8');
    expect(descrs.map((descr) => dtypeOfNpyDescr(descr))).toEqual(
      DTYPES.filter((info) => info.name !== 'bfloat16').map((info) => info.name),
    );
    expect([dtypeOfNpyDescr('|S8'), dtypeOfNpyDescr('S3'), dtypeOfNpyDescr('<U2'), dtypeOfNpyDescr('>f8')]).toEqual([
      'bytes8',
      'bytes3',
      null,
      null,
    ]);
    const error = thrown(() => npyDescr('bfloat16'));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'ERR_MMVEC_NO_NPY_DESCR',
      message: 'bfloat16 has no .npy descr: store it in a raw file',
    });
  });

  it('canonicalDtype takes names and aliases in any case', () => {
    expect(canonicalDtype('F64')).toBe('float64');
    expect(canonicalDtype('double')).toBe('float64');
    expect(canonicalDtype('Float')).toBe('float32');
    expect(canonicalDtype('u16')).toBe('uint16');
    const error = thrown(() => canonicalDtype('int128'));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'ERR_MMVEC_BAD_DTYPE',
      message:
        "unknown dtype 'int128' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N>)",
    });
  });
});

describe('parseValue and formatValue', () => {
  it('parse as Redis does: numbers, and bigints for 64-bit integers', () => {
    expect(parseValue('int8', '-128')).toBe(-128);
    expect(parseValue('uint64', '18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(parseValue('float64', 'inf')).toBe(Infinity);
    expect(parseValue('float32', '0.1')).toBe(0.1);
  });

  it('a refused text throws ERR_MMVEC_BAD_VALUE with the value, dtype and reason', () => {
    const error = thrown(() => parseValue('int32', '+5'));
    expect({ ...error, message: error.message }).toEqual({
      code: 'ERR_MMVEC_BAD_VALUE',
      message: "value '+5' is not valid for int32: not an integer",
      dtype: 'int32',
      value: '+5',
      reason: 'not an integer',
    });
    expect(thrown(() => parseValue('uint8', '256')).reason).toBe('out of range');
  });

  it('format the stored value as Redis prints it', () => {
    expect(formatValue('float32', Math.fround(0.1))).toBe('0.1');
    expect(formatValue('float64', 1e21)).toBe('1e21');
    expect(formatValue('float64', -Infinity)).toBe('-inf');
    expect(formatValue('float64', NaN)).toBe('nan');
    expect(formatValue('int16', -0)).toBe('0');
    expect(formatValue('int64', -(2n ** 63n))).toBe('-9223372036854775808');
    const error = thrown(() => formatValue('int8', 1.5));
    expect({ code: error.code, reason: error.reason, value: error.value }).toEqual({
      code: 'ERR_MMVEC_BAD_VALUE',
      reason: 'not an integer',
      value: '1.5',
    });
  });
});

describe('error fields', () => {
  it('ERR_MMVEC_BAD_SIZE carries path, size and dtype', () => {
    const file = tmp.file('seven.bin');
    fs.writeFileSync(file, Buffer.alloc(7));
    const error = thrown(() => MmapVector.open(file, { dtype: 'int32', mode: 'r' }));
    expect({ code: error.code, path: error.path, size: error.size, dtype: error.dtype }).toEqual({
      code: 'ERR_MMVEC_BAD_SIZE',
      path: file,
      size: 7,
      dtype: 'int32',
    });
  });

  it('ENOENT and ERR_MMVEC_LOCKED carry the path only', () => {
    const missing = tmp.file('missing.bin');
    const notFound = thrown(() => MmapVector.open(missing, { mode: 'r' }));
    expect({ code: notFound.code, path: notFound.path, size: notFound.size, dtype: notFound.dtype }).toEqual({
      code: 'ENOENT',
      path: missing,
      size: undefined,
      dtype: undefined,
    });
    const file = tmp.file('held.bin');
    using writer = MmapVector.open(file);
    expect(writer.length).toBe(0);
    const locked = thrown(() => MmapVector.open(file));
    expect({ code: locked.code, path: locked.path }).toEqual({ code: 'ERR_MMVEC_LOCKED', path: file });
    expect(Object.keys(locked).sort()).toEqual(['code', 'path']);
  });

  it('a refused write carries value, dtype and reason', () => {
    using v = MmapVector.open(tmp.file('v.u8'), { dtype: 'uint8' });
    const error = thrown(() => v.push(300));
    expect({
      code: error.code,
      value: error.value,
      dtype: error.dtype,
      reason: error.reason,
      path: error.path,
    }).toEqual({
      code: 'ERR_MMVEC_BAD_VALUE',
      value: '300',
      dtype: 'uint8',
      reason: 'out of range',
      path: undefined,
    });
  });

  it('errors without a subject carry only their code', () => {
    const v = MmapVector.open(tmp.file('c.bin'));
    v.close();
    const error = thrown(() => v.length);
    expect({ code: error.code, keys: Object.keys(error) }).toEqual({ code: 'ERR_MMVEC_CLOSED', keys: ['code'] });
  });
});
