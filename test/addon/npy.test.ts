/**
 * `.npy` files through the addon, checked with real numpy: files the addon creates and
 * changes are what `np.load(path, mmap_mode='r')` reads; files numpy writes (`np.save`,
 * header versions 1.0, 2.0 and 3.0, `open_memmap`) are served with their header's dtype
 * and keep a valid header as they grow; bad headers throw with a code and the reason.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CodedError, type DType, MmapVector } from '../..';
import { pythonWith, runPython } from '../helpers/python';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();
const python = pythonWith();

/** The error `action` throws, as `code: message`. */
function thrown(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return `${(error as CodedError).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('.npy files without numpy', () => {
  it('a new .npy file gets a 128-byte header; the format and data offset say so', () => {
    const file = tmp.file('v.npy');
    const v = MmapVector.open(file, { dtype: 'int16' });
    expect([v.format, v.dataOffset, v.length]).toEqual(['npy', 128, 0]);
    v.pushArray([1, 2, 3]);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 10)).toEqual(Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, 118, 0]));
    expect(bytes.subarray(10, 128).toString('latin1').trimEnd()).toBe(
      "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }",
    );
    expect(bytes[127]).toBe(0x0a);
    expect(Buffer.from(v.view().buffer, v.view().byteOffset, 6)).toEqual(bytes.subarray(128));
    v.close();
    const raw = MmapVector.open(tmp.file('v.bin'), { dtype: 'int16' });
    expect([raw.format, raw.dataOffset]).toEqual(['raw', 0]);
    raw.close();
  });

  it('without a dtype, a .npy file opens as its header says; a dtype that disagrees throws', () => {
    const file = tmp.file('u.npy');
    MmapVector.open(file, { dtype: 'uint32' }).close();
    const v = MmapVector.open(file, { mode: 'r' });
    expect(v.dtype).toBe('uint32');
    v.close();
    expect(thrown(() => MmapVector.open(file, { dtype: 'float64', mode: 'r' }))).toBe(
      `ERR_MMVEC_DTYPE_MISMATCH: ${file} holds uint32 (its .npy header says so), not float64`,
    );
    expect(MmapVector.open(tmp.file('plain.bin'), { mode: 'a' }).dtype).toBe('float64');
  });

  it('format overrides the extension; a bad format throws', () => {
    const v = MmapVector.open(tmp.file('x.dat'), { dtype: 'uint8', format: 'npy' });
    expect(v.format).toBe('npy');
    v.close();
    expect(MmapVector.open(tmp.file('y.npy'), { dtype: 'uint8', format: 'raw' }).dataOffset).toBe(0);
    expect(thrown(() => MmapVector.open(tmp.file('z.npy'), { format: 'zip' as 'raw' }))).toBe(
      "ERR_MMVEC_BAD_FORMAT: unknown format 'zip' (expected raw or npy)",
    );
    expect(thrown(() => MmapVector.open(tmp.file('z.npy'), { format: 1 as unknown as 'raw' }))).toBe(
      'ERR_INVALID_ARG_TYPE: The "format" argument must be of type string. Received type number',
    );
  });
});

describe.runIf(python)('.npy files and numpy', () => {
  const numpy = (code: string): string => runPython(python!, `import numpy as np\n${code}`, tmp.dir).trim();
  const load = (file: string): string =>
    numpy(`a = np.load(${JSON.stringify(file)}, mmap_mode='r')\nprint(a.dtype, a.shape, a.tolist())`);

  it('np.load reads what the addon writes, after pushes, sets, pops and clears', () => {
    const file = tmp.file('w.npy');
    const v = MmapVector.open(file, { dtype: 'float32' });
    expect(load(file)).toBe('float32 (0,) []');
    v.pushArray([0.5, 1.5, -2]);
    expect(load(file)).toBe('float32 (3,) [0.5, 1.5, -2.0]');
    v.set(1, 8);
    v.pop();
    expect(load(file)).toBe('float32 (2,) [0.5, 8.0]');
    v.push(0, 0);
    expect(load(file)).toBe('float32 (4,) [0.5, 8.0, 0.0, 0.0]');
    v.clear();
    expect(load(file)).toBe('float32 (0,) []');
    v.close();
  });

  const DTYPES: [DType, string][] = [
    ['int8', 'i1'],
    ['uint8', 'u1'],
    ['int16', 'i2'],
    ['uint16', 'u2'],
    ['int32', 'i4'],
    ['uint32', 'u4'],
    ['int64', 'i8'],
    ['uint64', 'u8'],
    ['float32', 'f4'],
    ['float64', 'f8'],
  ];

  it('np.save output of every dtype is served with its dtype, and grows with a header numpy reads', () => {
    numpy(DTYPES.map(([name, code]) => `np.save('${name}.npy', np.array([1, 2, 3], dtype='${code}'))`).join('\n'));
    for (const [name] of DTYPES) {
      const v = MmapVector.open(tmp.file(`${name}.npy`), { mode: 'r+' });
      expect(v.dtype, name).toBe(name);
      expect([...v].map(Number), name).toEqual([1, 2, 3]);
      v.push((name.endsWith('64') && name !== 'float64' ? 4n : 4) as never);
      v.close();
      expect(load(`${name}.npy`), name).toBe(
        `${name} (4,) [${name.startsWith('float') ? '1.0, 2.0, 3.0, 4.0' : '1, 2, 3, 4'}]`,
      );
    }
  });

  it('header versions 2.0 and 3.0, and open_memmap files, are served and kept valid', () => {
    numpy(
      [
        "a = np.arange(3, dtype='<i4')",
        'for v in (1, 2, 3):',
        "    with open(f'v{v}.npy', 'wb') as f:",
        '        np.lib.format.write_array(f, a, version=(v, 0))',
        "m = np.lib.format.open_memmap('m.npy', mode='w+', dtype='<f8', shape=(2,))",
        'm[:] = [0.25, 0.75]',
        'm.flush()',
      ].join('\n'),
    );
    for (const version of [1, 2, 3]) {
      const file = `v${version}.npy`;
      expect(fs.readFileSync(tmp.file(file))[6], file).toBe(version);
      const v = MmapVector.open(tmp.file(file));
      expect([v.dtype, v.dataOffset % 64], file).toEqual(['int32', 0]);
      v.pushArray([10, 11]);
      v.close();
      expect(load(file), file).toBe('int32 (5,) [0, 1, 2, 10, 11]');
      expect(fs.readFileSync(tmp.file(file))[6], file).toBe(version);
    }
    const m = MmapVector.open(tmp.file('m.npy'));
    expect([m.dtype, [...m]]).toEqual(['float64', [0.25, 0.75]]);
    m.push(1);
    m.close();
    expect(load('m.npy')).toBe('float64 (3,) [0.25, 0.75, 1.0]');
  });

  it('2-D, Fortran order, an unknown descr, a truncated header and a lying shape throw the reason', () => {
    numpy(
      [
        "np.save('2d.npy', np.zeros((2, 2)))",
        "np.save('f.npy', np.asfortranarray(np.zeros((2, 2))))",
        "np.save('s.npy', np.array(['ab'] * 2))",
        "np.save('zero.npy', np.float64(1.0))",
        "np.save('lying.npy', np.arange(4.0))",
        "np.save('cut.npy', np.arange(4.0))",
      ].join('\n'),
    );
    fs.truncateSync(tmp.file('lying.npy'), 128 + 8);
    fs.truncateSync(tmp.file('cut.npy'), 9);
    const open = (file: string) => () => MmapVector.open(tmp.file(file), { mode: 'r' });
    const unsupported = (file: string, reason: string) =>
      `ERR_MMVEC_UNSUPPORTED_NPY: ${tmp.file(file)} holds an array mmvec does not serve: ${reason}`;
    expect(thrown(open('2d.npy'))).toBe(
      unsupported('2d.npy', 'shape (2, 2) is not 1-D: only 1-D arrays are supported'),
    );
    expect(thrown(open('f.npy'))).toBe(
      unsupported('f.npy', 'fortran_order is True: only C-order arrays are supported'),
    );
    expect(thrown(open('s.npy'))).toBe(
      unsupported(
        's.npy',
        "unknown descr '<U2' (expected one of |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8, <f2, <f16, |S<N>)",
      ),
    );
    expect(thrown(open('zero.npy'))).toBe(
      unsupported('zero.npy', 'shape () is not 1-D: only 1-D arrays are supported'),
    );
    expect(thrown(open('lying.npy'))).toBe(
      `ERR_MMVEC_NPY_SHORT_DATA: ${tmp.file('lying.npy')} says it holds 4 elements (32 bytes) but has 8 bytes of data`,
    );
    expect(thrown(open('cut.npy'))).toBe(
      `ERR_MMVEC_BAD_NPY_HEADER: ${tmp.file('cut.npy')} is not a .npy file mmvec can open: the file ends inside the header`,
    );
  });
});
