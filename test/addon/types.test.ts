/**
 * The dtypes of issue 11 through every addon method: float16 and bfloat16 (numbers,
 * rounded to nearest-even), float80 (the nearest number out, exact text through
 * getText/setText) and bytes<N> (Buffers out, strings or Uint8Arrays in), every refusal
 * with its exact error, and files numpy (and ml_dtypes) wrote or read.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CodedError, type DType, MmapVector, formatValue, parseValue } from '../..';
import { pythonWith, runPython } from '../helpers/python';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();
const python = pythonWith('ml_dtypes');

/** The code and message `fn` throws. */
function thrown(fn: () => unknown): { code: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    const { code, message } = error as CodedError;
    return { code, message };
  }
  throw new Error('expected an error');
}

const badValue = (message: string) => ({ code: 'ERR_MMVEC_BAD_VALUE', message });

describe.each(['float16', 'bfloat16', 'float80'] as const)('%s: values are numbers', (dtype) => {
  it('get, set, setMany, push, pushArray, pop, getMany, slice, view and iteration', () => {
    const file = tmp.file();
    const v = MmapVector.open(file, { dtype });
    expect(v.push(1.5, -2, 0.25)).toBe(3);
    expect(v.pushArray([4, 8])).toBe(5);
    v.set(0, 3);
    v.setMany([1, 2], [-0.5, 1024]);
    expect([v.get(0), v.get(1), v.get(2), v.get(3), v.get(4)]).toEqual([3, -0.5, 1024, 4, 8]);
    expect([...v]).toEqual([3, -0.5, 1024, 4, 8]);
    expect(v.pop()).toBe(8);
    expect(v.length).toBe(4);
    const itemsize = dtype === 'float80' ? 16 : 2;
    expect(fs.statSync(file).size).toBe(4 * itemsize);
    // The typed arrays hold the elements' bits or bytes, as the file does.
    const bytes = fs.readFileSync(file);
    const raw = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    expect(raw(v.slice()).equals(bytes)).toBe(true);
    expect(raw(v.view()).equals(bytes)).toBe(true);
    expect(
      raw(v.getMany([3, 0])).equals(Buffer.concat([bytes.subarray(3 * itemsize), bytes.subarray(0, itemsize)])),
    ).toBe(true);
    // A typed array of the dtype's own appends its raw elements.
    expect(v.pushArray(v.slice(0, 1))).toBe(5);
    expect(v.get(4)).toBe(3);
    v.close();
  });

  it('getText and setText are the exact texts Redis replies and parses', () => {
    const v = MmapVector.open(tmp.file(), { dtype });
    v.push(0, 0);
    v.setText(0, '0.1');
    expect(v.getText(0)).toBe('0.1');
    // A float16 or bfloat16 number is the element exactly; float80's is its nearest double.
    if (dtype !== 'float80') expect(v.getText(0)).toBe(formatValue(dtype, v.get(0) as number));
    else expect(formatValue(dtype, v.get(0) as number)).toBe('0.10000000000000000555');
    expect(v.get(0)).toBe(parseValue(dtype, '0.1'));
    v.setText(1, '-inf');
    expect([v.get(1), v.getText(1)]).toEqual([-Infinity, '-inf']);
    v.setText(1, 'nan');
    expect(v.getText(1)).toBe('nan');
    expect(thrown(() => v.setText(0, 'abc'))).toEqual(badValue(`value 'abc' is not valid for ${dtype}: not a number`));
    expect(thrown(() => v.setText(2, '1'))).toEqual({
      code: 'ERR_MMVEC_OUT_OF_RANGE',
      message: 'index 2 is out of range for length 2',
    });
    expect(thrown(() => v.getText(-1))).toEqual({
      code: 'ERR_MMVEC_BAD_INDEX',
      message: 'index -1 is not a non-negative safe integer',
    });
    v.close();
  });

  it('refuses strings, Buffers and bigints that are not exact', () => {
    const v = MmapVector.open(tmp.file(), { dtype });
    v.push(0);
    expect(thrown(() => v.set(0, '1' as unknown as number))).toEqual({
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'The "value" argument must be of type number or bigint. Received type string',
    });
    expect(thrown(() => v.push(Buffer.from('1') as unknown as number))).toEqual({
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'The "values[0]" argument must be of type number or bigint. Received type object',
    });
    v.close();
  });
});

describe('float16 and bfloat16 rounding and range', () => {
  it('float16: round to nearest-even, 70000 overflows, the largest finite is 65504', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'float16' });
    v.push(2049, 2051, 0.1, 65519);
    expect([...v]).toEqual([2048, 2052, 0.0999755859375, 65504]);
    expect(thrown(() => v.set(0, 70000))).toEqual(badValue("value '70000' is not valid for float16: out of range"));
    expect(thrown(() => v.push(1, 70000))).toEqual(badValue("value '70000' is not valid for float16: out of range"));
    expect(thrown(() => v.setText(0, '1e5'))).toEqual(badValue("value '1e5' is not valid for float16: out of range"));
    expect(thrown(() => v.set(0, 2049n as unknown as number))).toEqual(
      badValue("value '2049' is not valid for float16: not exactly representable"),
    );
    expect(v.length).toBe(4);
    v.set(0, Infinity);
    expect(v.get(0)).toBe(Infinity);
    v.close();
  });

  it('bfloat16: round to nearest-even (257 -> 256, 259 -> 260), past its largest finite is refused', () => {
    const file = tmp.file();
    const v = MmapVector.open(file, { dtype: 'bfloat16' });
    v.push(257, 259, 1 + 2 ** -8, 1 + 3 * 2 ** -8);
    expect([...v]).toEqual([256, 260, 1, 1 + 2 ** -6]);
    // bfloat16 is the upper half of a float32: 256 is 0x4380.
    expect(fs.readFileSync(file).readUInt16LE(0)).toBe(0x4380);
    expect(thrown(() => v.set(0, 3.4e38))).toEqual(badValue("value '3.4e38' is not valid for bfloat16: out of range"));
    expect(thrown(() => v.setText(0, '1e39'))).toEqual(
      badValue("value '1e39' is not valid for bfloat16: out of range"),
    );
    v.close();
  });
});

describe('float80', () => {
  it('the largest finite value round-trips as text; get gives its nearest number', () => {
    const file = tmp.file();
    const v = MmapVector.open<'float80'>(file, { dtype: 'long_double' });
    expect(v.dtype).toBe('float80');
    v.push(0, 0);
    v.setText(0, '1.18973149535723176502e+4932');
    expect(v.getText(0)).toBe('1.189731495357231765e4932');
    expect(v.get(0)).toBe(Infinity);
    v.setText(1, v.getText(0));
    expect(v.getText(1)).toBe(v.getText(0));
    // 2^53 + 1 is exact in float80's 64-bit significand, not in a double.
    v.setText(1, '9007199254740993');
    expect([v.getText(1), v.get(1)]).toEqual(['9007199254740993', 2 ** 53]);
    expect(thrown(() => v.setText(1, '1e5000'))).toEqual(
      badValue("value '1e5000' is not valid for float80: out of range"),
    );
    v.close();
    // A 16-byte slot: the 10 bytes of the x87 format, then 6 zero bytes.
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(32);
    expect([...bytes.subarray(10, 16), ...bytes.subarray(26, 32)]).toEqual(new Array(12).fill(0));
  });

  it('set from a number is exact: every double is a float80', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'float80' });
    const doubles = [0.1, 1 / 3, Number.MAX_VALUE, Number.MIN_VALUE, -0, 2 ** 53];
    v.pushArray(doubles);
    expect([...v]).toEqual(doubles);
    expect(v.getText(0)).toBe('0.10000000000000000555');
    v.set(1, (2n ** 64n - 1n) as unknown as number);
    expect(v.getText(1)).toBe('1.8446744073709551615e19');
    expect(thrown(() => v.set(1, (2n ** 64n + 1n) as unknown as number))).toEqual(
      badValue("value '18446744073709551617' is not valid for float80: out of range"),
    );
    v.close();
  });
});

describe('bytes<N>', () => {
  it('get returns a Buffer without trailing NULs; set/push take strings and Uint8Arrays', () => {
    const file = tmp.file();
    const v = MmapVector.open<'bytes8'>(file, { dtype: 'S8' });
    expect(v.dtype).toBe('bytes8');
    expect(v.push('a', 'ab', 'abc', 'abcd', 'abcd e', 'abcd e f')).toBe(6);
    expect(v.get(1)).toEqual(Buffer.from('ab'));
    expect(v.get(1)).toBeInstanceOf(Buffer);
    expect([...v].map(String)).toEqual(['a', 'ab', 'abc', 'abcd', 'abcd e', 'abcd e f']);
    v.set(0, new Uint8Array([0, 1, 0, 2, 0]));
    expect(v.get(0)).toEqual(Buffer.from([0, 1, 0, 2]));
    v.set(1, '');
    expect(v.get(1)).toEqual(Buffer.alloc(0));
    v.setMany([2, 3], ['été', Buffer.from('xy')]);
    expect([v.getText(2), v.getText(3)]).toEqual(['été', 'xy']);
    expect(v.pushArray(['q', new Uint8Array([113, 114])])).toBe(8);
    expect(v.pop()).toEqual(Buffer.from('qr'));
    // The file is numpy's S8: each element 8 bytes, NUL-padded.
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(7 * 8);
    expect(bytes.subarray(8, 16)).toEqual(Buffer.alloc(8));
    expect(bytes.subarray(40, 48)).toEqual(Buffer.from('abcd e f'));
    expect(Buffer.from(v.slice(5, 6))).toEqual(Buffer.from('abcd e f'));
    expect(Buffer.from(v.view().subarray(56 - 8))).toEqual(Buffer.from('q\0\0\0\0\0\0\0'));
    expect(Buffer.from(v.getMany([5]))).toEqual(Buffer.from('abcd e f'));
    // A Uint8Array of whole elements appended raw, as every typed array of the dtype's.
    expect(v.pushArray(new Uint8Array(16).fill(65))).toBe(9);
    expect(v.get(8)).toEqual(Buffer.from('AAAAAAAA'));
    v.close();
  });

  it('a value longer than N throws ERR_MMVEC_BAD_VALUE naming N, and writes nothing', () => {
    const file = tmp.file();
    const v = MmapVector.open(file, { dtype: 'bytes8' });
    v.push('x');
    const before = fs.readFileSync(file);
    const tooLong = badValue("value 'abcdefghi' is not valid for bytes8: 9 bytes is longer than 8");
    expect(thrown(() => v.set(0, 'abcdefghi'))).toEqual(tooLong);
    expect(thrown(() => v.push('ok', 'abcdefghi'))).toEqual(tooLong);
    expect(thrown(() => v.setMany([0], [Buffer.from('abcdefghi')]))).toEqual(tooLong);
    expect(thrown(() => v.setText(0, 'abcdefghi'))).toEqual(tooLong);
    // 'é' is two bytes in UTF-8: five of them are ten bytes.
    expect(thrown(() => v.set(0, 'ééééé'))).toEqual(
      badValue("value 'ééééé' is not valid for bytes8: 10 bytes is longer than 8"),
    );
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(v.length).toBe(1);
    v.close();
  });

  it('a non-UTF-8 Buffer is stored as it is; getText replaces what is not UTF-8', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'bytes4' });
    v.push(Buffer.from([0xff, 0xfe, 0x41]));
    expect(v.get(0)).toEqual(Buffer.from([0xff, 0xfe, 0x41]));
    expect(v.getText(0)).toBe('\ufffd\ufffdA');
    expect(thrown(() => v.push(Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43])))).toEqual(
      badValue("value '\ufffd\ufffdABC' is not valid for bytes4: 5 bytes is longer than 4"),
    );
    v.close();
  });

  it('numbers are refused by the argument check, and widths outside 1..65536 by the core', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'bytes2' });
    expect(thrown(() => v.set(0, 1 as unknown as string))).toEqual({
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'The "value" argument must be of type string or an instance of Uint8Array. Received type number',
    });
    expect(thrown(() => v.push('a', 2n as unknown as string))).toEqual({
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'The "values[1]" argument must be of type string or an instance of Uint8Array. Received type bigint',
    });
    v.close();
    for (const dtype of ['bytes0', 'S65537', 'bytes01']) {
      expect(
        thrown(() => MmapVector.open(tmp.file(), { dtype: dtype as DType })),
        dtype,
      ).toEqual({
        code: 'ERR_MMVEC_BAD_DTYPE',
        message: `bad dtype width ${dtype.replace(/^\D+/, '').replace(/^0+(?=\d)/, '')}: bytes<N> takes 1 to 65536 bytes`,
      });
    }
  });

  it('the widest, bytes65536, holds 65536 bytes', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'bytes65536' });
    const value = Buffer.alloc(65536, 7);
    v.push(value);
    expect(v.get(0)).toEqual(value);
    v.close();
  });
});

describe('.npy headers', () => {
  it('bytes8, float16 and float80 files get the core descrs; bfloat16 refuses a .npy path', () => {
    const descrOf = (file: string) => /'descr': '([^']*)'/.exec(fs.readFileSync(file, 'latin1'))?.[1];
    for (const [dtype, descr] of [
      ['bytes8', '|S8'],
      ['float16', '<f2'],
      ['float80', '<f16'],
    ] as const) {
      const file = tmp.file(`${dtype}.npy`);
      MmapVector.open(file, { dtype }).close();
      expect(descrOf(file), dtype).toBe(descr);
      const reopened = MmapVector.open(file);
      expect(reopened.dtype).toBe(dtype);
      reopened.close();
    }
    expect(thrown(() => MmapVector.open(tmp.file('b.npy'), { dtype: 'bfloat16' }))).toEqual({
      code: 'ERR_MMVEC_NO_NPY_DESCR',
      message: 'bfloat16 has no .npy descr: store it in a raw file',
    });
  });
});

describe.runIf(python)('numpy and ml_dtypes read and write the same files', () => {
  const py = (code: string): string =>
    runPython(python!, `import numpy as np, ml_dtypes, json\n${code}`, tmp.dir).trim();

  it('np.memmap(dtype=S8), np.float16 and np.longdouble read files the addon wrote', () => {
    const strings = MmapVector.open(tmp.file('s8.bin'), { dtype: 'bytes8' });
    strings.push('a', 'ab', '', 'abcd e f');
    strings.close();
    const halves = MmapVector.open(tmp.file('f2.bin'), { dtype: 'float16' });
    halves.push(0.1, 65504, -2049);
    halves.close();
    const longs = MmapVector.open(tmp.file('f80.bin'), { dtype: 'float80' });
    longs.push(0, 2, 4);
    longs.setText(1, '1.18973149535723176502e+4932');
    longs.setText(2, '0.1');
    longs.close();
    expect(
      JSON.parse(py("print(json.dumps([s.decode() for s in np.memmap('s8.bin', dtype='S8', mode='r')]))")),
    ).toEqual(['a', 'ab', '', 'abcd e f']);
    expect(py("print(' '.join(repr(float(x)) for x in np.memmap('f2.bin', dtype=np.float16, mode='r')))")).toBe(
      '0.0999755859375 65504.0 -2048.0',
    );
    expect(
      py(
        "a = np.fromfile('f80.bin', dtype=np.longdouble)\n" +
          "print(a[0] == 0, a[1] == np.finfo(np.longdouble).max, a[2] == np.longdouble('0.1'))",
      ),
    ).toBe('True True True');
  });

  it('the addon reads raw and .npy files numpy wrote: S8, float16, longdouble', () => {
    py(
      "strings = np.array([('s%d' % i).encode() for i in range(200)], dtype='S8')\n" +
        "strings.tofile('s.bin'); np.save('s.npy', strings)\n" +
        "h = np.array([0.1, -65504, 2 ** -24], dtype=np.float16); h.tofile('h.bin'); np.save('h.npy', h)\n" +
        "l = np.array([np.longdouble('0.1'), np.finfo(np.longdouble).max], dtype=np.longdouble)\n" +
        "l.tofile('l.bin'); np.save('l.npy', l)",
    );
    for (const file of ['s.bin', 's.npy']) {
      const v = MmapVector.open(tmp.file(file), file.endsWith('.npy') ? { mode: 'r' } : { dtype: 'S8', mode: 'r' });
      expect(v.dtype).toBe('bytes8');
      expect(v.length).toBe(200);
      for (let i = 0; i < 200; i++) expect(String(v.get(i))).toBe(`s${i}`);
      v.close();
    }
    for (const file of ['h.bin', 'h.npy']) {
      const v = MmapVector.open(tmp.file(file), file.endsWith('.npy') ? { mode: 'r' } : { dtype: 'f16', mode: 'r' });
      expect([v.dtype, ...v]).toEqual(['float16', 0.0999755859375, -65504, 2 ** -24]);
      v.close();
    }
    for (const file of ['l.bin', 'l.npy']) {
      const v = MmapVector.open(
        tmp.file(file),
        file.endsWith('.npy') ? { mode: 'r' } : { dtype: 'longdouble', mode: 'r' },
      );
      expect([v.dtype, v.getText(0), v.getText(1)]).toEqual(['float80', '0.1', '1.189731495357231765e4932']);
      v.close();
    }
  });

  it('a bfloat16 file written from raw bits is read by ml_dtypes.bfloat16 and by the addon', () => {
    // 1.0, -2.0, 256, 0.1's nearest (0x3dcd), inf: bfloat16 bit patterns.
    const bits = [0x3f80, 0xc000, 0x4380, 0x3dcd, 0x7f80];
    fs.writeFileSync(tmp.file('bf.bin'), Buffer.from(new Uint16Array(bits).buffer));
    const v = MmapVector.open<'bfloat16'>(tmp.file('bf.bin'), { dtype: 'bf16', mode: 'r' });
    expect([...v]).toEqual([1, -2, 256, 0.10009765625, Infinity]);
    expect(Array.from(v.view())).toEqual(bits);
    v.close();
    expect(py("print(' '.join(repr(float(x)) for x in np.fromfile('bf.bin', dtype=ml_dtypes.bfloat16)))")).toBe(
      '1.0 -2.0 256.0 0.10009765625 inf',
    );
    // And what the addon writes, ml_dtypes reads.
    const w = MmapVector.open(tmp.file('bf2.bin'), { dtype: 'bfloat16' });
    w.push(257, 0.1, -3.5);
    w.close();
    expect(py("print(' '.join(repr(float(x)) for x in np.fromfile('bf2.bin', dtype=ml_dtypes.bfloat16)))")).toBe(
      '256.0 0.10009765625 -3.5',
    );
  });
});
