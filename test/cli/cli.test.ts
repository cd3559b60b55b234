/**
 * The `mmvec` command line, run as a child process (`node dist/src/cli/main.js ...`, so
 * `npm run build:ts` first) in a fresh temporary directory: exact outputs, files
 * byte for byte, every error with its exact message and exit code.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import type { ClassicDType as DType } from '../helpers/dtypes';
import { useCli } from '../helpers/cli';

const { tmp, ok, fails, usage, write, vectorFile, read } = useCli('mmvec-cli-');

/** A .npy file built by hand: magic, version, header dict padded to a multiple of 64 with '\n' last. */
function npy(
  descr: string,
  shape: string,
  data: Uint8Array,
  options: { version?: 1 | 2 | 3; fortran?: boolean } = {},
): Uint8Array {
  const version = options.version ?? 1;
  const dict = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const prefixLength = version === 1 ? 10 : 12;
  const padding = (64 - ((prefixLength + dict.length + 1) % 64)) % 64;
  const header = Buffer.from(`${dict}${' '.repeat(padding)}\n`, version === 3 ? 'utf8' : 'latin1');
  const prefix = Buffer.alloc(prefixLength);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(prefix);
  if (version === 1) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  expect((prefix.length + header.length) % 64).toBe(0);
  return Buffer.concat([prefix, header, data]);
}

const bytes = (array: ArrayBufferView): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/** The header of a .npy file (version 1.0) and its data, parsed here independently of the CLI. */
function parseNpy(file: string): {
  version: string;
  dict: string;
  descr: string;
  fortran: string;
  shape: string;
  data: Buffer;
} {
  const buffer = fs.readFileSync(tmp.file(file));
  expect(buffer.subarray(0, 6).equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]))).toBe(true);
  const headerLength = buffer.readUInt16LE(8);
  const end = 10 + headerLength;
  expect(end % 64).toBe(0);
  const header = buffer.subarray(10, end).toString('latin1');
  expect(header.endsWith('\n')).toBe(true);
  const dict = header.trimEnd();
  const field = (key: string): string => new RegExp(`'${key}': ('[^']*'|True|False|\\([^)]*\\))`).exec(dict)?.[1] ?? '';
  return {
    version: `${buffer[6]}.${buffer[7]}`,
    dict,
    descr: field('descr'),
    fortran: field('fortran_order'),
    shape: field('shape'),
    data: buffer.subarray(end),
  };
}

describe('help and usage', () => {
  it('mmvec --help lists every command', () => {
    const out = ok('--help');
    for (const command of ['serve', 'module-path', 'info FILE', 'import SRC DEST', 'export FILE DEST'])
      expect(out).toContain(`  ${command}`);
  });

  it.each(['info', 'import', 'export'])('mmvec %s --help prints the command usage on stdout', (command) => {
    expect(ok(command, '--help')).toMatch(new RegExp(`^Usage: mmvec ${command} `));
    expect(ok(command, '-h')).toMatch(new RegExp(`^Usage: mmvec ${command} `));
  });

  it('an unknown command is a usage error', () => {
    fails(2, ["mmvec: unknown command 'frobnicate'", 'Run "mmvec --help" for usage.'], 'frobnicate');
  });
});

describe('info', () => {
  it('prints exact statistics and a sparkline', () => {
    vectorFile('v.f64', 'float64', [1, 2, 3, 4, 5]);
    expect(ok('info', 'v.f64')).toBe(
      [
        'file:  v.f64',
        'dtype: float64',
        'count: 5',
        'size:  40 bytes',
        'min:   1',
        'max:   5',
        'mean:  3',
        'spark: ▁▃▅▆█',
        '',
      ].join('\n'),
    );
  });

  it('ignores NaN and counts it; a NaN element is a blank in the sparkline', () => {
    vectorFile('n.f32', 'float32', [0.1, NaN, 0.5, 0.25]);
    expect(ok('info', 'n.f32', '--dtype', 'f32')).toBe(
      [
        'file:  n.f32',
        'dtype: float32',
        'count: 4',
        'size:  16 bytes',
        'min:   0.1',
        'max:   0.5',
        'mean:  0.28333333',
        'nan:   1',
        'spark: ▁ █▄',
        '',
      ].join('\n'),
    );
  });

  it('is exact for the whole int64 and uint64 ranges', () => {
    vectorFile('i.i64', 'int64', [-(2n ** 63n), 2n ** 63n - 1n, 0n, 5n]);
    expect(ok('info', 'i.i64', '--dtype', 'int64')).toBe(
      [
        'file:  i.i64',
        'dtype: int64',
        'count: 4',
        'size:  32 bytes',
        'min:   -9223372036854775808',
        'max:   9223372036854775807',
        'mean:  1',
        'spark: ▁█▅▅',
        '',
      ].join('\n'),
    );
    vectorFile('u.u64', 'uint64', [2n ** 64n - 1n, 2n ** 64n - 1n, 1n]);
    const out = ok('info', 'u.u64', '--dtype', 'u64');
    expect(out).toContain('min:   1\nmax:   18446744073709551615\n');
    // (2 * (2^64 - 1) + 1) / 3, exactly 12297829382473034411 -> the nearest double, as Redis prints it.
    expect(out).toContain('mean:  1.2297829382473034e19\n');
  });

  it('an empty vector', () => {
    vectorFile('e.i32', 'int32', []);
    expect(ok('info', 'e.i32', '--dtype', 'int32')).toBe(
      [
        'file:  e.i32',
        'dtype: int32',
        'count: 0',
        'size:  0 bytes',
        'min:   -',
        'max:   -',
        'mean:  -',
        'spark: -',
        '',
      ].join('\n'),
    );
  });

  it('the sparkline has 40 buckets, each the mean of its slice', () => {
    vectorFile(
      'ramp.f64',
      'float64',
      Float64Array.from({ length: 400 }, (_, i) => i),
    );
    const out = ok('info', 'ramp.f64');
    expect(out).toContain('size:  3200 bytes (3.13 KiB)\n');
    expect(out).toContain('mean:  199.5\n');
    const spark = /spark: (.*)\n/.exec(out)![1];
    expect([...spark]).toHaveLength(40);
    // Bucket b averages 10b + 4.5: level round(7b / 39) of ▁..█.
    expect(spark).toBe('▁▁▁▂▂▂▂▂▂▃▃▃▃▃▄▄▄▄▄▄▅▅▅▅▅▅▆▆▆▆▆▇▇▇▇▇▇███');
  });

  it('walks a multi-chunk file (several MiB) with exact integer sums', () => {
    const n = 3_000_000; // 12 MiB of int32: many chunks, bucket edges inside chunks
    vectorFile(
      'big.i32',
      'int32',
      Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 2 ** 31 - 1 : -(2 ** 31) + 1)),
    );
    const out = ok('info', 'big.i32', '--dtype', 'int32');
    expect(out).toContain('count: 3000000\n');
    expect(out).toContain('min:   -2147483647\nmax:   2147483647\nmean:  0\n');
  });

  it('errors: missing file, wrong dtype for the size, unknown dtype, usage', () => {
    fails(1, ['mmvec: nope.f64: no such file or directory'], 'info', 'nope.f64');
    write('seven.bin', Buffer.alloc(7));
    fails(
      1,
      [
        'mmvec: seven.bin: its size, 7 bytes, is not a whole number of float64 elements (8 bytes each); is --dtype right?',
      ],
      'info',
      'seven.bin',
    );
    fails(
      2,
      [
        "mmvec: unknown dtype 'float8' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N> (S<N>; N 1-65536), or an alias: i8, u8, i16, u16, i32, u32, i64, u64, f32, f64, f16, bf16, float128, float, double, half, long_double, longdouble)",
        usage('info'),
      ],
      'info',
      'seven.bin',
      '--dtype',
      'float8',
    );
    fails(2, ['mmvec: missing FILE argument', usage('info')], 'info');
    fails(2, ["mmvec: unexpected argument 'b'", usage('info')], 'info', 'a', 'b');
    fails(2, ["mmvec: unknown option '--bogus'", usage('info')], 'info', 'a', '--bogus');
    fails(2, ['mmvec: option --dtype needs a value', usage('info')], 'info', 'a', '--dtype');
    fs.mkdirSync(tmp.file('dir'));
    fails(1, ['mmvec: dir: not a regular file'], 'info', 'dir');
  });
});

describe('import from text', () => {
  it('a CSV column by number (counting from 1) and by header name', () => {
    write('prices.csv', 'day,open,close\n1,10.5,11\n2,11,12.25\n3,12.25,12\n');
    expect(ok('import', 'prices.csv', 'close.f64', '--dtype', 'float64', '--column', '3', '--header')).toBe(
      'imported 3 float64 values from prices.csv into close.f64\n',
    );
    expect(read('close.f64', 'float64')).toEqual([11, 12.25, 12]);
    ok('import', 'prices.csv', 'open.f32', '--dtype', 'f32', '--column', 'open');
    expect(read('open.f32', 'float32')).toEqual([10.5, 11, 12.25]);
    write('noheader.csv', '7,8\n9,10\n');
    ok('import', 'noheader.csv', 'second.i16', '--dtype', 'int16', '--column', '2');
    expect(read('second.i16', 'int16')).toEqual([8, 10]);
  });

  it('TSV, by extension or by --delimiter', () => {
    write('t.tsv', 'a\tb\n1\t-2\n3\t-4\n');
    ok('import', 't.tsv', 'b.i8', '--dtype', 'i8', '--column', 'b');
    expect(read('b.i8', 'int8')).toEqual([-2, -4]);
    write('t.txt', '1\t-2\n3\t-4\n');
    ok('import', 't.txt', 'a.u8', '--dtype', 'u8', '--column', '1', '--delimiter', '\\t');
    expect(read('a.u8', 'uint8')).toEqual([1, 3]);
    write('semi.txt', '1;2\n3;4\n');
    ok('import', 'semi.txt', 's.u16', '--dtype', 'uint16', '--column', '2', '--delimiter', ';');
    expect(read('s.u16', 'uint16')).toEqual([2, 4]);
  });

  it('plain lines: CRLF, blank lines, spaces, a BOM, no final newline', () => {
    write('plain.txt', '\ufeff1\r\n\r\n  2  \n300\n-4\n\n5');
    ok('import', 'plain.txt', 'p.i32', '--dtype', 'int32');
    expect(read('p.i32', 'int32')).toEqual([1, 2, 300, -4, 5]);
  });

  it('plain lines: a lone CR ends a line too (node:readline), and line numbers count it', () => {
    write('cr.txt', '1\r2\r\n3\rx\n');
    fails(
      1,
      ["mmvec: cr.txt:4:1: 'x' is not a valid int32 (not an integer)"],
      'import',
      'cr.txt',
      'cr.i32',
      '--dtype',
      'int32',
    );
    write('cr.txt', '1\r2\r\n3\r');
    ok('import', 'cr.txt', 'cr.i32', '--dtype', 'int32');
    expect(read('cr.i32', 'int32')).toEqual([1, 2, 3]);
  });

  it('a single-column CSV needs no --column; quoted fields', () => {
    write('one.csv', 'x\n"1"\n2\n');
    ok('import', 'one.csv', 'one.f64', '--dtype', 'f64', '--header');
    expect(read('one.f64', 'float64')).toEqual([1, 2]);
    write('quoted.csv', 'name,value\n"Smith, J.",1.5\n"say ""hi""",2.5\n');
    ok('import', 'quoted.csv', 'q.f64', '--dtype', 'f64', '--column', 'value');
    expect(read('q.f64', 'float64')).toEqual([1.5, 2.5]);
  });

  it('int64 and uint64 are parsed exactly, beyond 2^53', () => {
    write('big.txt', '9223372036854775807\n-9223372036854775808\n9007199254740993\n1500000000000000000\n');
    ok('import', 'big.txt', 'big.i64', '--dtype', 'int64');
    expect(read('big.i64', 'int64')).toEqual([2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n, 1500000000000000000n]);
    write('ubig.txt', '18446744073709551615\n0\n');
    ok('import', 'ubig.txt', 'big.u64', '--dtype', 'uint64');
    expect(read('big.u64', 'uint64')).toEqual([2n ** 64n - 1n, 0n]);
  });

  it('floats: nan, inf, -inf in any case; float32 rounds to nearest', () => {
    write('f.txt', 'nan\nInf\n-infinity\nNaN\n0.1\n');
    ok('import', 'f.txt', 'f.f32', '--dtype', 'float32');
    const values = read('f.f32', 'float32') as number[];
    expect(values.slice(0, 4)).toEqual([NaN, Infinity, -Infinity, NaN]);
    expect(values[4]).toBe(Math.fround(0.1));
  });

  it('a large file goes through many chunks and batches', () => {
    const n = 300_000;
    write('many.txt', Array.from({ length: n }, (_, i) => String(i * 3 - 1000)).join('\n'));
    ok('import', 'many.txt', 'many.i32', '--dtype', 'i32');
    const values = read('many.i32', 'int32');
    expect(values).toHaveLength(n);
    expect(values[0]).toBe(-1000);
    expect(values[n - 1]).toBe((n - 1) * 3 - 1000);
  });
});

describe('import from .npy', () => {
  it('copies raw bytes when the descr matches the dtype (v1.0, v2.0, v3.0)', () => {
    const data = new Float64Array([1.5, -2.25, NaN, 1e300]);
    for (const version of [1, 2, 3] as const) {
      write(`a${version}.npy`, npy('<f8', '(4,)', bytes(data), { version }));
      expect(ok('import', `a${version}.npy`, `a${version}.f64`, '--dtype', 'float64')).toBe(
        `imported 4 float64 values from a${version}.npy into a${version}.f64\n`,
      );
      expect(fs.readFileSync(tmp.file(`a${version}.f64`)).equals(Buffer.from(bytes(data)))).toBe(true);
    }
  });

  it("without --dtype, DEST takes the array's type", () => {
    write('u1.npy', npy('|u1', '(3,)', new Uint8Array([0, 128, 255])));
    expect(ok('import', 'u1.npy', 'u1.bin')).toBe('imported 3 uint8 values from u1.npy into u1.bin\n');
    expect(read('u1.bin', 'uint8')).toEqual([0, 128, 255]);
    write('i8.npy', npy('<i8', '(2,)', bytes(new BigInt64Array([-(2n ** 63n), 42n]))));
    ok('import', 'i8.npy', 'i8.bin');
    expect(read('i8.bin', 'int64')).toEqual([-(2n ** 63n), 42n]);
  });

  it('converts with checks when the types differ', () => {
    write('i4.npy', npy('<i4', '(3,)', bytes(new Int32Array([-5, 0, 2 ** 31 - 1]))));
    ok('import', 'i4.npy', 'i4.i64', '--dtype', 'int64');
    expect(read('i4.i64', 'int64')).toEqual([-5n, 0n, 2n ** 31n - 1n]);
    ok('import', 'i4.npy', 'i4.f64', '--dtype', 'float64');
    expect(read('i4.f64', 'float64')).toEqual([-5, 0, 2 ** 31 - 1]);
    write('f8.npy', npy('<f8', '(3,)', bytes(new Float64Array([1, -2, 300]))));
    ok('import', 'f8.npy', 'f8.i16', '--dtype', 'int16');
    expect(read('f8.i16', 'int16')).toEqual([1, -2, 300]);
    write('b1.npy', npy('|b1', '(3,)', new Uint8Array([1, 0, 1])));
    ok('import', 'b1.npy', 'b1.f32', '--dtype', 'float32');
    expect(read('b1.f32', 'float32')).toEqual([1, 0, 1]);
    // 1-D with fortran_order True is the same bytes as C order.
    write('fortran1d.npy', npy('<i2', '(2,)', bytes(new Int16Array([7, 8])), { fortran: true }));
    ok('import', 'fortran1d.npy', 'fortran1d.i16');
    expect(read('fortran1d.i16', 'int16')).toEqual([7, 8]);
  });

  it('refuses values the dtype cannot hold, naming the element', () => {
    write('i4.npy', npy('<i4', '(3,)', bytes(new Int32Array([1, 2, 300]))));
    fails(
      1,
      ["mmvec: i4.npy: element 2: '300' is not a valid int8 (out of range)"],
      'import',
      'i4.npy',
      'i4.i8',
      '--dtype',
      'int8',
    );
    write('f8.npy', npy('<f8', '(2,)', bytes(new Float64Array([1, 2.5]))));
    fails(
      1,
      ["mmvec: f8.npy: element 1: '2.5' is not a valid int32 (not an integer)"],
      'import',
      'f8.npy',
      'f8.i32',
      '--dtype',
      'int32',
    );
    write('i8.npy', npy('<i8', '(1,)', bytes(new BigInt64Array([2n ** 53n + 1n]))));
    fails(
      1,
      ["mmvec: i8.npy: element 0: '9007199254740993' is not a valid float64 (not exactly representable)"],
      'import',
      'i8.npy',
      'i8.f64',
      '--dtype',
      'float64',
    );
    for (const dest of ['i4.i8', 'f8.i32', 'i8.f64']) {
      expect(fs.existsSync(tmp.file(dest))).toBe(false);
      expect(fs.existsSync(tmp.file(`${dest}.partial`))).toBe(false);
    }
  });

  it('refuses big-endian, 2-D, Fortran 2-D, 0-d, unsupported, truncated and unknown files', () => {
    const data = new Uint8Array(16);
    write('be.npy', npy('>f8', '(2,)', data));
    fails(
      1,
      ["mmvec: be.npy: big-endian .npy data ('>f8') is not supported; save it little-endian first (a.astype('<f8'))"],
      'import',
      'be.npy',
      'be.f64',
    );
    write('2d.npy', npy('<f8', '(1, 2)', data));
    fails(
      1,
      [
        'mmvec: 2d.npy: a 2-D array of shape (1, 2); only 1-D arrays can be imported (flatten it first, e.g. np.save(path, a.ravel()))',
      ],
      'import',
      '2d.npy',
      '2d.f64',
    );
    write('f2d.npy', npy('<f8', '(2, 1)', data, { fortran: true }));
    fails(
      1,
      [
        'mmvec: f2d.npy: a 2-D, Fortran-ordered array of shape (2, 1); only 1-D arrays can be imported (flatten it first, e.g. np.save(path, a.ravel()))',
      ],
      'import',
      'f2d.npy',
      'f2d.f64',
    );
    write('0d.npy', npy('<f8', '()', data.subarray(0, 8)));
    fails(
      1,
      [
        'mmvec: 0d.npy: a 0-d array (a scalar) of shape (); only 1-D arrays can be imported (flatten it first, e.g. np.save(path, a.ravel()))',
      ],
      'import',
      '0d.npy',
      '0d.f64',
    );
    write('u2.npy', npy('<U2', '(2,)', data));
    fails(
      1,
      [
        "mmvec: u2.npy: unsupported .npy dtype '<U2' (supported: little-endian bool, |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8, <f2, <f16, |S1 to |S65536)",
      ],
      'import',
      'u2.npy',
      'u2.f64',
    );
    write('short.npy', npy('<f8', '(3,)', data));
    fails(
      1,
      ['mmvec: short.npy: truncated .npy data: the header says 3 elements (24 bytes) but 16 bytes follow it'],
      'import',
      'short.npy',
      'short.f64',
    );
    write('fake.npy', 'not numpy at all\n');
    fails(
      1,
      ['mmvec: fake.npy: not a .npy file (it does not start with \\x93NUMPY)'],
      'import',
      'fake.npy',
      'fake.f64',
      '--dtype',
      'f64',
    );
    const v4 = Buffer.from(npy('<f8', '(2,)', data));
    v4[6] = 4;
    write('v4.npy', v4);
    fails(
      1,
      ['mmvec: v4.npy: unsupported .npy version 4.0 (1.0, 2.0 and 3.0 are supported)'],
      'import',
      'v4.npy',
      'v4.f64',
    );
    fails(
      2,
      ['mmvec: --column, --delimiter and --header apply to CSV/TSV files, not to .npy', usage('import')],
      'import',
      'v4.npy',
      'v4.f64',
      '--header',
    );
    for (const dest of ['be.f64', '2d.f64', 'f2d.f64', '0d.f64', 'u2.f64', 'short.f64', 'fake.f64', 'v4.f64'])
      expect(fs.existsSync(tmp.file(dest))).toBe(false);
  });

  it('refuses a structured (record) dtype', () => {
    const dict = "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }";
    const padding = (64 - ((10 + dict.length + 1) % 64)) % 64;
    const header = `${dict}${' '.repeat(padding)}\n`;
    const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    write('rec.npy', Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.alloc(8)]));
    fails(1, ['mmvec: rec.npy: structured .npy dtypes (records) are not supported'], 'import', 'rec.npy', 'rec.f64');
  });
});

describe('import errors', () => {
  it('a bad value names the file, line and column; exit 1; no DEST and no partial file', () => {
    write('data.csv', 'a,b,c\n' + '1,2,3\n'.repeat(15) + '1,2,abc\n');
    fails(
      1,
      ["mmvec: data.csv:17:3: 'abc' is not a valid int32 (not an integer)"],
      'import',
      'data.csv',
      'out.i32',
      '--dtype',
      'int32',
      '--column',
      '3',
      '--header',
    );
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['data.csv']);
  });

  it('the first failure stops the import, a bad value or a malformed line', () => {
    write('first.csv', 'a,b\n1,2\n3,x\n4\n5,\n');
    fails(
      1,
      ["mmvec: first.csv:3:2: 'x' is not a valid int32 (not an integer)"],
      'import',
      'first.csv',
      'f.i32',
      '--dtype',
      'int32',
      '--column',
      'b',
    );
    write('second.csv', 'a,b\n1,2\n4\n3,x\n');
    fails(
      1,
      ['mmvec: second.csv:3: no column 2 (the line has 1 field)'],
      'import',
      'second.csv',
      'f.i32',
      '--dtype',
      'int32',
      '--column',
      'b',
    );
    write('third.csv', 'a,b\n1,x\n5,\n');
    fails(
      1,
      ["mmvec: third.csv:2:2: 'x' is not a valid int32 (not an integer)"],
      'import',
      'third.csv',
      'f.i32',
      '--dtype',
      'int32',
      '--column',
      'b',
    );
    write('fourth.csv', 'a,b\n1,2\n5,\n1,x\n');
    fails(
      1,
      ["mmvec: fourth.csv:3:2: '' is not a valid int32 (empty)"],
      'import',
      'fourth.csv',
      'f.i32',
      '--dtype',
      'int32',
      '--column',
      'b',
    );
    write('late.txt', '1\n'.repeat(200_000) + '+1\n');
    fails(
      1,
      ["mmvec: late.txt:200001:1: '+1' is not a valid int32 (not an integer)"],
      'import',
      'late.txt',
      'f.i32',
      '--dtype',
      'int32',
    );
    expect(fs.existsSync(tmp.file('f.i32'))).toBe(false);
  });

  it('each kind of bad value', () => {
    const cases: [string, string, string][] = [
      ['300', 'int8', "mmvec: v.txt:2:1: '300' is not a valid int8 (out of range)"],
      ['-1', 'uint32', "mmvec: v.txt:2:1: '-1' is not a valid uint32 (out of range)"],
      ['1.5', 'int16', "mmvec: v.txt:2:1: '1.5' is not a valid int16 (not an integer)"],
      ['nan', 'int64', "mmvec: v.txt:2:1: 'nan' is not a valid int64 (not an integer)"],
      ['9223372036854775808', 'int64', "mmvec: v.txt:2:1: '9223372036854775808' is not a valid int64 (out of range)"],
      [
        '18446744073709551616',
        'uint64',
        "mmvec: v.txt:2:1: '18446744073709551616' is not a valid uint64 (out of range)",
      ],
      ['1e400', 'float64', "mmvec: v.txt:2:1: '1e400' is not a valid float64 (out of range)"],
      ['1e39', 'float32', "mmvec: v.txt:2:1: '1e39' is not a valid float32 (out of range)"],
      ['0x10', 'float64', "mmvec: v.txt:2:1: '0x10' is not a valid float64 (not a number)"],
      ['12abc', 'uint8', "mmvec: v.txt:2:1: '12abc' is not a valid uint8 (not an integer)"],
      // Integers as Redis reads them: no '+', no leading zero, no fraction or exponent.
      ['+5', 'int32', "mmvec: v.txt:2:1: '+5' is not a valid int32 (not an integer)"],
      ['05', 'int32', "mmvec: v.txt:2:1: '05' is not a valid int32 (not an integer)"],
      ['3e2', 'int32', "mmvec: v.txt:2:1: '3e2' is not a valid int32 (not an integer)"],
      ['-4.0', 'int32', "mmvec: v.txt:2:1: '-4.0' is not a valid int32 (not an integer)"],
      ['1.5e18', 'int64', "mmvec: v.txt:2:1: '1.5e18' is not a valid int64 (not an integer)"],
    ];
    for (const [value, dtype, message] of cases) {
      write('v.txt', `1\n${value}\n2\n`);
      fails(1, [message], 'import', 'v.txt', 'v.bin', '--dtype', dtype);
      expect(fs.existsSync(tmp.file('v.bin'))).toBe(false);
    }
  });

  it('an empty CSV field, a missing column, an unknown header name, several columns without --column', () => {
    write('e.csv', 'a,b\n1,\n');
    fails(
      1,
      ["mmvec: e.csv:2:2: '' is not a valid float64 (empty)"],
      'import',
      'e.csv',
      'e.f64',
      '--dtype',
      'f64',
      '--column',
      '2',
      '--header',
    );
    write('short.csv', '1,2\n3\n');
    fails(
      1,
      ['mmvec: short.csv:2: no column 2 (the line has 1 field)'],
      'import',
      'short.csv',
      's.f64',
      '--dtype',
      'f64',
      '--column',
      '2',
    );
    write('h.csv', 'a,b\n1,2\n');
    fails(
      1,
      ["mmvec: h.csv:1: no column named 'c' in the header ('a', 'b')"],
      'import',
      'h.csv',
      'h.f64',
      '--dtype',
      'f64',
      '--column',
      'c',
    );
    fails(
      1,
      ['mmvec: h.csv:2: 2 columns; choose one with --column N or --column NAME'],
      'import',
      'h.csv',
      'h.f64',
      '--dtype',
      'f64',
      '--header',
    );
    write('q.csv', '"1,2\n');
    fails(
      1,
      ['mmvec: q.csv:1: unterminated quoted field (the file ends inside the quotes of the record that starts here)'],
      'import',
      'q.csv',
      'q.f64',
      '--dtype',
      'f64',
    );
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['e.csv', 'h.csv', 'q.csv', 'short.csv']);
  });

  it('a failed import leaves an existing DEST exactly as it was', () => {
    vectorFile('keep.f64', 'float64', [1, 2, 3]);
    const before = fs.readFileSync(tmp.file('keep.f64'));
    write('bad.txt', '1\nx\n');
    fails(
      1,
      ["mmvec: bad.txt:2:1: 'x' is not a valid float64 (not a number)"],
      'import',
      'bad.txt',
      'keep.f64',
      '--dtype',
      'f64',
    );
    expect(fs.readFileSync(tmp.file('keep.f64')).equals(before)).toBe(true);
    expect(fs.existsSync(tmp.file('keep.f64.partial'))).toBe(false);
    // A successful one replaces it.
    write('good.txt', '9\n');
    ok('import', 'good.txt', 'keep.f64', '--dtype', 'f64');
    expect(read('keep.f64', 'float64')).toEqual([9]);
  });

  it('a DEST held by a writer is not replaced', () => {
    vectorFile('held.f64', 'float64', [1]);
    write('one.txt', '5\n');
    const writer = MmapVector.open(tmp.file('held.f64'), { mode: 'r+' });
    try {
      fails(
        1,
        ['mmvec: held.f64: locked by another writer (a process has it open read-write); not replaced'],
        'import',
        'one.txt',
        'held.f64',
        '--dtype',
        'f64',
      );
    } finally {
      writer.close();
    }
    expect(read('held.f64', 'float64')).toEqual([1]);
  });

  it('missing SRC, SRC a directory, DEST in a missing directory, DEST = SRC', () => {
    fails(1, ['mmvec: missing.csv: no such file or directory'], 'import', 'missing.csv', 'out.f64', '--dtype', 'f64');
    fs.mkdirSync(tmp.file('dir'));
    fails(1, ['mmvec: dir: is a directory'], 'import', 'dir', 'out.f64', '--dtype', 'f64');
    write('x.txt', '1\n');
    fails(
      1,
      ['mmvec: nodir/out.f64: cannot create it, directory nodir does not exist'],
      'import',
      'x.txt',
      'nodir/out.f64',
      '--dtype',
      'f64',
    );
    fails(
      1,
      ['mmvec: x.txt: is the same file as x.txt; choose another destination'],
      'import',
      'x.txt',
      'x.txt',
      '--dtype',
      'f64',
    );
    fails(1, ['mmvec: dir: is a directory'], 'import', 'x.txt', 'dir', '--dtype', 'f64');
    expect(fs.readFileSync(tmp.file('x.txt'), 'utf8')).toBe('1\n');
  });

  it('usage errors exit 2', () => {
    write('x.txt', '1\n');
    fails(2, ['mmvec: missing SRC argument', usage('import')], 'import');
    fails(2, ['mmvec: missing DEST argument', usage('import')], 'import', 'x.txt');
    fails(
      2,
      ["mmvec: unexpected argument 'extra'", usage('import')],
      'import',
      'x.txt',
      'y',
      'extra',
      '--dtype',
      'f64',
    );
    fails(
      2,
      ['mmvec: missing --dtype (it is required unless SRC is a .npy file)', usage('import')],
      'import',
      'x.txt',
      'y',
    );
    fails(2, ["mmvec: unknown option '--colum'", usage('import')], 'import', 'x.txt', 'y', '--colum', '1');
    fails(2, ['mmvec: option --column needs a value', usage('import')], 'import', 'x.txt', 'y', '--column');
    fails(2, ['mmvec: option --header takes no value', usage('import')], 'import', 'x.txt', 'y', '--header=yes');
    fails(
      2,
      ['mmvec: --column counts from 1 (the first column is 1)', usage('import')],
      'import',
      'x.txt',
      'y',
      '--dtype',
      'f64',
      '--column',
      '0',
    );
    fails(
      2,
      ["mmvec: --delimiter must be one character other than '\"' (or \\t for a tab), not ',,'", usage('import')],
      'import',
      'x.txt',
      'y',
      '--dtype',
      'f64',
      '--delimiter',
      ',,',
    );
    fails(
      2,
      [
        "mmvec: unknown dtype 'int128' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N> (S<N>; N 1-65536), or an alias: i8, u8, i16, u16, i32, u32, i64, u64, f32, f64, f16, bf16, float128, float, double, half, long_double, longdouble)",
        usage('import'),
      ],
      'import',
      'x.txt',
      'y',
      '--dtype',
      'int128',
    );
    expect(fs.readdirSync(tmp.dir)).toEqual(['x.txt']);
  });
});

const EDGE_VALUES: Record<DType, (number | bigint)[]> = {
  int8: [-128, -1, 0, 1, 127],
  uint8: [0, 1, 200, 255],
  int16: [-32768, -2, 0, 32767],
  uint16: [0, 65535, 1234],
  int32: [-(2 ** 31), -1, 0, 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1, 123456789],
  int64: [-(2n ** 63n), -1n, 0n, 9007199254740993n, 2n ** 63n - 1n],
  uint64: [0n, 1n, 2n ** 53n + 1n, 2n ** 64n - 1n],
  float32: [0.1, -0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, 16777216, 1 / 3, -2.5],
  float64: [0.1, -0, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2, 1 / 3, 1e21, -1e-7],
};

describe('round trips', () => {
  it.each(Object.keys(EDGE_VALUES) as DType[])(
    '%s: import -> export csv -> import, and export npy -> import, byte for byte',
    (dtype) => {
      vectorFile('orig.bin', dtype, EDGE_VALUES[dtype]);
      const original = fs.readFileSync(tmp.file('orig.bin'));
      expect(ok('export', 'orig.bin', 'out.csv', '--dtype', dtype)).toBe(
        `exported ${EDGE_VALUES[dtype].length} ${dtype} values from orig.bin to out.csv (csv)\n`,
      );
      ok('import', 'out.csv', 'back.bin', '--dtype', dtype);
      expect(fs.readFileSync(tmp.file('back.bin')).equals(original)).toBe(true);
      // And once more through the text, which must be stable.
      ok('export', 'back.bin', 'again.csv', '--dtype', dtype);
      expect(fs.readFileSync(tmp.file('again.csv'), 'utf8')).toBe(fs.readFileSync(tmp.file('out.csv'), 'utf8'));

      ok('export', 'orig.bin', 'out.npy', '--dtype', dtype);
      ok('import', 'out.npy', 'fromnpy.bin');
      expect(fs.readFileSync(tmp.file('fromnpy.bin')).equals(original)).toBe(true);
    },
  );

  it('CSV text is the shortest round-trip form', () => {
    vectorFile('f.f32', 'float32', EDGE_VALUES.float32);
    ok('export', 'f.f32', 'f.csv', '--dtype', 'float32');
    expect(fs.readFileSync(tmp.file('f.csv'), 'utf8')).toBe(
      ['0.1', '-0', 'nan', 'inf', '-inf', '1e-45', '3.4028235e38', '16777216', '0.33333334', '-2.5', ''].join('\n'),
    );
    vectorFile('i.i64', 'int64', EDGE_VALUES.int64);
    ok('export', 'i.i64', 'i.txt', '--dtype', 'i64');
    expect(fs.readFileSync(tmp.file('i.txt'), 'utf8')).toBe(
      '-9223372036854775808\n-1\n0\n9007199254740993\n9223372036854775807\n',
    );
  });

  it('a multi-chunk vector (int64, 3 MiB) round-trips through CSV and npy', () => {
    const values = BigInt64Array.from({ length: 400_000 }, (_, i) => BigInt(i) * 23058430092136939n - 2n ** 62n);
    vectorFile('big.i64', 'int64', values);
    const original = fs.readFileSync(tmp.file('big.i64'));
    ok('export', 'big.i64', 'big.csv', '--dtype', 'int64');
    ok('import', 'big.csv', 'big2.i64', '--dtype', 'int64');
    expect(fs.readFileSync(tmp.file('big2.i64')).equals(original)).toBe(true);
    ok('export', 'big.i64', 'big.npy', '--dtype', 'int64');
    expect(parseNpy('big.npy').data.equals(original)).toBe(true);
  });
});

describe('export', () => {
  it('npy: a version 1.0 header with the descr, shape (count,), 64-byte aligned, then the raw bytes', () => {
    const cases: [DType, string][] = [
      ['float64', "'<f8'"],
      ['float32', "'<f4'"],
      ['int8', "'|i1'"],
      ['uint8', "'|u1'"],
      ['int16', "'<i2'"],
      ['uint32', "'<u4'"],
      ['int64', "'<i8'"],
      ['uint64', "'<u8'"],
    ];
    for (const [dtype, descr] of cases) {
      const values = EDGE_VALUES[dtype];
      vectorFile('v.bin', dtype, values);
      ok('export', 'v.bin', 'v.npy', '--dtype', dtype);
      const parsed = parseNpy('v.npy');
      expect(parsed).toMatchObject({ version: '1.0', descr, fortran: 'False', shape: `(${values.length},)` });
      expect(parsed.dict).toBe(`{'descr': ${descr}, 'fortran_order': False, 'shape': (${values.length},), }`);
      expect(parsed.data.equals(fs.readFileSync(tmp.file('v.bin')))).toBe(true);
    }
  });

  it('an empty vector gives an empty CSV and a (0,) npy', () => {
    vectorFile('e.f64', 'float64', []);
    ok('export', 'e.f64', 'e.csv');
    expect(fs.readFileSync(tmp.file('e.csv'), 'utf8')).toBe('');
    ok('export', 'e.f64', 'e.npy');
    expect(parseNpy('e.npy')).toMatchObject({ shape: '(0,)', data: Buffer.alloc(0) });
  });

  it('--format overrides the extension; DEST - is stdout', () => {
    vectorFile('v.i16', 'int16', [3, -4]);
    ok('export', 'v.i16', 'v.data', '--dtype', 'i16', '--format', 'npy');
    expect(parseNpy('v.data').descr).toBe("'<i2'");
    ok('export', 'v.i16', 'v.npy.txt', '--dtype', 'i16');
    expect(fs.readFileSync(tmp.file('v.npy.txt'), 'utf8')).toBe('3\n-4\n');
    expect(ok('export', 'v.i16', '-', '--dtype', 'i16')).toBe('3\n-4\n');
  });

  it('errors', () => {
    fails(1, ['mmvec: none.f64: no such file or directory'], 'export', 'none.f64', 'x.csv');
    expect(fs.existsSync(tmp.file('x.csv'))).toBe(false);
    write('odd.bin', Buffer.alloc(6));
    fails(
      1,
      ['mmvec: odd.bin: its size, 6 bytes, is not a whole number of int32 elements (4 bytes each); is --dtype right?'],
      'export',
      'odd.bin',
      'x.csv',
      '--dtype',
      'int32',
    );
    fails(
      1,
      ['mmvec: odd.bin: is the same file as odd.bin; choose another destination'],
      'export',
      'odd.bin',
      'odd.bin',
      '--dtype',
      'int16',
    );
    fails(
      1,
      ['mmvec: no/x.csv: cannot create it, directory no does not exist'],
      'export',
      'odd.bin',
      'no/x.csv',
      '--dtype',
      'int16',
    );
    fails(
      2,
      ["mmvec: --format must be csv or npy, not 'json'", usage('export')],
      'export',
      'odd.bin',
      'x.json',
      '--format',
      'json',
    );
    fails(2, ['mmvec: missing DEST argument', usage('export')], 'export', 'odd.bin');
    fails(2, ["mmvec: unknown option '-x'", usage('export')], 'export', 'odd.bin', 'x.csv', '-x');
    expect(fs.readdirSync(tmp.dir)).toEqual(['odd.bin']);
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasNumpy)('numpy (python3 with numpy is importable)', () => {
  it('np.load reads an exported .npy', () => {
    vectorFile('v.f32', 'float32', [0.5, -1.25, 3]);
    ok('export', 'v.f32', 'v.npy', '--dtype', 'f32');
    vectorFile('v.i64', 'int64', [-(2n ** 63n), 2n ** 63n - 1n]);
    ok('export', 'v.i64', 'w.npy', '--dtype', 'int64');
    const script =
      "import numpy as np; a = np.load('v.npy'); b = np.load('w.npy'); print(a.dtype.str, a.shape, a.tolist(), b.dtype.str, b.tolist())";
    const run = spawnSync('python3', ['-c', script], { cwd: tmp.dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('<f4 (3,) [0.5, -1.25, 3.0] <i8 [-9223372036854775808, 9223372036854775807]\n');
  });
});
