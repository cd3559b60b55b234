/**
 * `mmvec import`, `export` and `info` for the dtypes of issue 11: bytes<N> (text lines
 * as their bytes), float16, bfloat16 and float80 (exact texts), and their `.npy` files
 * (`|S8`, `<f2`, `<f16`; bfloat16 has no descr and is refused), with numpy reading and
 * writing them.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { useCli } from '../helpers/cli';
import { pythonWith, runPython } from '../helpers/python';

const { tmp, ok, fails, write } = useCli('mmvec-cli-types-');
const python = pythonWith('ml_dtypes');

describe('bytes<N>', () => {
  it('imports text lines as byte strings and exports them back; info counts them', () => {
    write('s.txt', 'a\nab\n\nabcd e f\nété\n');
    expect(ok('import', 's.txt', 's.bin', '--dtype', 'S8')).toBe('imported 4 bytes8 values from s.txt into s.bin\n');
    expect(fs.readFileSync(tmp.file('s.bin')).subarray(0, 16)).toEqual(Buffer.from('a\0\0\0\0\0\0\0ab\0\0\0\0\0\0'));
    expect(ok('export', 's.bin', '-', '--dtype', 'bytes8')).toBe('a\nab\nabcd e f\nété\n');
    expect(ok('info', 's.bin', '--dtype', 'bytes8').split('\n')).toEqual([
      'file:  s.bin',
      'dtype: bytes8',
      'count: 4',
      'size:  32 bytes',
      'min:   -',
      'max:   -',
      'mean:  -',
      'spark: -',
      '',
    ]);
  });

  it('a value longer than N stops the import at its line; a bad width is a usage error', () => {
    write('long.txt', 'ok\nabcdefghi\n');
    fails(
      1,
      ["mmvec: long.txt:2:1: 'abcdefghi' is not a valid bytes8 (9 bytes is longer than 8)"],
      'import',
      'long.txt',
      'long.bin',
      '--dtype',
      'bytes8',
    );
    expect(fs.existsSync(tmp.file('long.bin'))).toBe(false);
    fails(
      2,
      ['mmvec: bad dtype width 65537: bytes<N> takes 1 to 65536 bytes', 'Run "mmvec import --help" for usage.'],
      'import',
      'long.txt',
      'long.bin',
      '--dtype',
      'S65537',
    );
  });
});

describe('float16, bfloat16 and float80', () => {
  // bfloat16 keeps 8 significant bits: 2049 is 2048, whose shortest text is 2050.
  it('import rounds to nearest-even and export prints the shortest exact texts', () => {
    write('f.txt', '0.1\n2049\n65504\n-inf\n');
    ok('import', 'f.txt', 'h.bin', '--dtype', 'f16');
    expect(ok('export', 'h.bin', '-', '--dtype', 'float16')).toBe('0.1\n2048\n65500\n-inf\n');
    ok('import', 'f.txt', 'b.bin', '--dtype', 'bf16');
    expect(ok('export', 'b.bin', '-', '--dtype', 'bfloat16')).toBe('0.1\n2050\n65500\n-inf\n');
    write('l.txt', '0\n2\n4\n6\n8\n10\n1.18973149535723176502e+4932\n');
    ok('import', 'l.txt', 'l.bin', '--dtype', 'long_double');
    expect(ok('export', 'l.bin', '-', '--dtype', 'float80')).toBe('0\n2\n4\n6\n8\n10\n1.189731495357231765e4932\n');
  });

  it('70000 is refused for float16; info summarizes through the nearest numbers', () => {
    write('big.txt', '1\n70000\n');
    fails(
      1,
      ["mmvec: big.txt:2:1: '70000' is not a valid float16 (out of range)"],
      'import',
      'big.txt',
      'big.bin',
      '--dtype',
      'float16',
    );
    write('b.txt', '1\n257\n-2\n');
    ok('import', 'b.txt', 'b.bin', '--dtype', 'bfloat16');
    expect(ok('info', 'b.bin', '--dtype', 'bfloat16').split('\n').slice(1, 8)).toEqual([
      'dtype: bfloat16',
      'count: 3',
      'size:  6 bytes',
      'min:   -2',
      'max:   256',
      'mean:  85',
      'spark: ▁█▁',
    ]);
  });
});

describe('.npy files of the new dtypes', () => {
  it('bfloat16 has no descr: a .npy export or import DEST is refused, a raw one works', () => {
    write('b.txt', '1\n0.5\n');
    ok('import', 'b.txt', 'b.bin', '--dtype', 'bf16');
    fails(
      1,
      [
        'mmvec: b.bin: bfloat16 has no .npy descr: store it in a raw file; export it as csv, or read FILE itself with np.fromfile(FILE, dtype=ml_dtypes.bfloat16)',
      ],
      'export',
      'b.bin',
      'b.npy',
      '--dtype',
      'bfloat16',
    );
    expect(fs.existsSync(tmp.file('b.npy'))).toBe(false);
    fails(
      1,
      ['mmvec: b2.npy: bfloat16 has no .npy descr: store it in a raw file'],
      'import',
      'b.txt',
      'b2.npy',
      '--dtype',
      'bfloat16',
    );
    expect(fs.existsSync(tmp.file('b2.npy'))).toBe(false);
    expect(ok('export', 'b.bin', '-', '--dtype', 'bfloat16')).toBe('1\n0.5\n');
  });

  it.runIf(python)('numpy loads the .npy files export writes, and import reads the ones numpy saves', () => {
    write('s.txt', 'a\nab\nabcd e f\n');
    ok('import', 's.txt', 's.bin', '--dtype', 'S8');
    ok('export', 's.bin', 's.npy', '--dtype', 'S8');
    write('f.txt', '0.1\n-2\n');
    ok('import', 'f.txt', 'h.bin', '--dtype', 'float16');
    ok('export', 'h.bin', 'h.npy', '--dtype', 'float16');
    ok('import', 'f.txt', 'l.bin', '--dtype', 'float80');
    ok('export', 'l.bin', 'l.npy', '--dtype', 'float80');
    const loaded = runPython(
      python!,
      'import numpy as np\n' +
        "s, h, l = np.load('s.npy'), np.load('h.npy'), np.load('l.npy')\n" +
        'print(s.dtype, [x.decode() for x in s], h.dtype, [float(x) for x in h], l.dtype, l[0] == np.longdouble("0.1"), float(l[1]))',
      tmp.dir,
    ).trim();
    expect(loaded).toBe("|S8 ['a', 'ab', 'abcd e f'] float16 [0.0999755859375, -2.0] float128 True -2.0");
    runPython(
      python!,
      'import numpy as np\n' +
        "np.save('ns.npy', np.array([b'x', b'yz', b''], dtype='S4'))\n" +
        "np.save('nl.npy', np.array([np.longdouble('0.1'), np.finfo(np.longdouble).max]))",
      tmp.dir,
    );
    expect(ok('import', 'ns.npy', 'ns.bin')).toBe('imported 3 bytes4 values from ns.npy into ns.bin\n');
    expect(ok('export', 'ns.bin', '-', '--dtype', 'S4')).toBe('x\nyz\n\n');
    expect(ok('import', 'nl.npy', 'nl.bin')).toBe('imported 2 float80 values from nl.npy into nl.bin\n');
    expect(ok('export', 'nl.bin', '-', '--dtype', 'float80')).toBe('0.1\n1.189731495357231765e4932\n');
    // float80's largest does not fit a double: converting it is refused with its exact text.
    fails(
      1,
      ["mmvec: nl.npy: element 1: '1.189731495357231765e4932' is not a valid float64 (out of range)"],
      'import',
      'nl.npy',
      'nl.f64',
      '--dtype',
      'float64',
    );
    const v = MmapVector.open(tmp.file('ns.bin'), { dtype: 'bytes4', mode: 'r' });
    expect([...v].map(String)).toEqual(['x', 'yz', '']);
    v.close();
  });
});
