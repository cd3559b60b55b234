/**
 * The file format is raw little-endian elements, no header: files written by Node's
 * Buffer or Python's struct are mapped exactly, and files written by the addon decode
 * exactly with DataView and struct.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import type { ClassicDType as DType } from '../helpers/dtypes';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();

type Value = number | bigint;

interface Format {
  dtype: DType;
  itemsize: number;
  values: Value[];
  write(buffer: Buffer, value: Value, offset: number): void;
  read(view: DataView, offset: number): Value;
  /** Python struct format character. */
  struct: string;
}

const num = (value: Value): number => value as number;
const list = (array: ArrayLike<Value>): Value[] => Array.from(array);
const big = (value: Value): bigint => value as bigint;

const formats: Format[] = [
  {
    dtype: 'int8',
    itemsize: 1,
    values: [-128, 127, 0, -1, 17],
    write: (b, v, o) => b.writeInt8(num(v), o),
    read: (d, o) => d.getInt8(o),
    struct: 'b',
  },
  {
    dtype: 'uint8',
    itemsize: 1,
    values: [0, 255, 128, 1, 17],
    write: (b, v, o) => b.writeUInt8(num(v), o),
    read: (d, o) => d.getUint8(o),
    struct: 'B',
  },
  {
    dtype: 'int16',
    itemsize: 2,
    values: [-32768, 32767, 0, -1, 0x1234],
    write: (b, v, o) => b.writeInt16LE(num(v), o),
    read: (d, o) => d.getInt16(o, true),
    struct: 'h',
  },
  {
    dtype: 'uint16',
    itemsize: 2,
    values: [0, 65535, 0x8001, 1, 0x1234],
    write: (b, v, o) => b.writeUInt16LE(num(v), o),
    read: (d, o) => d.getUint16(o, true),
    struct: 'H',
  },
  {
    dtype: 'int32',
    itemsize: 4,
    values: [-2147483648, 2147483647, 0, -1, 0x12345678],
    write: (b, v, o) => b.writeInt32LE(num(v), o),
    read: (d, o) => d.getInt32(o, true),
    struct: 'i',
  },
  {
    dtype: 'uint32',
    itemsize: 4,
    values: [0, 4294967295, 0x80000001, 1, 0x12345678],
    write: (b, v, o) => b.writeUInt32LE(num(v), o),
    read: (d, o) => d.getUint32(o, true),
    struct: 'I',
  },
  {
    dtype: 'int64',
    itemsize: 8,
    values: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 0x0102030405060708n],
    write: (b, v, o) => b.writeBigInt64LE(big(v), o),
    read: (d, o) => d.getBigInt64(o, true),
    struct: 'q',
  },
  {
    dtype: 'uint64',
    itemsize: 8,
    values: [0n, 2n ** 64n - 1n, 2n ** 63n + 1n, 1n, 0x0102030405060708n],
    write: (b, v, o) => b.writeBigUInt64LE(big(v), o),
    read: (d, o) => d.getBigUint64(o, true),
    struct: 'Q',
  },
  {
    dtype: 'float32',
    itemsize: 4,
    values: [1.5, -0.25, 3.4028234663852886e38, 1.401298464324817e-45, -Infinity],
    write: (b, v, o) => b.writeFloatLE(num(v), o),
    read: (d, o) => d.getFloat32(o, true),
    struct: 'f',
  },
  {
    dtype: 'float64',
    itemsize: 8,
    values: [0.1, -1 / 3, Number.MAX_VALUE, Number.MIN_VALUE, Infinity],
    write: (b, v, o) => b.writeDoubleLE(num(v), o),
    read: (d, o) => d.getFloat64(o, true),
    struct: 'd',
  },
];

function encode(format: Format, values: Value[]): Buffer {
  const buffer = Buffer.alloc(values.length * format.itemsize);
  values.forEach((value, i) => format.write(buffer, value, i * format.itemsize));
  return buffer;
}

function decode(format: Format, bytes: Buffer): Value[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Value[] = [];
  for (let at = 0; at < bytes.length; at += format.itemsize) out.push(format.read(view, at));
  return out;
}

describe.each(formats)('$dtype', (format) => {
  it('a file written with Buffer writes is mapped and read exactly', () => {
    const file = tmp.file();
    const bytes = encode(format, format.values);
    fs.writeFileSync(file, bytes);
    for (const mode of ['r', 'r+', 'a'] as const) {
      const v = MmapVector.open<DType>(file, { dtype: format.dtype, mode });
      expect(v.length).toBe(format.values.length);
      format.values.forEach((value, i) => expect(v.get(i)).toBe(value));
      expect([...v]).toEqual(format.values);
      expect(list(v.view())).toEqual(format.values);
      expect(list(v.slice(1, 3))).toEqual(format.values.slice(1, 3));
      expect(list(v.getMany([4, 0]))).toEqual([format.values[4], format.values[0]]);
      v.close();
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    }
  });

  it('a file written by the addon decodes exactly with DataView (little-endian)', () => {
    const file = tmp.file();
    const v = MmapVector.open<DType>(file, { dtype: format.dtype, mode: 'w+' });
    v.push(...format.values.slice(0, 2));
    v.pushArray(format.values.slice(2));
    v.set(0, format.values[4] as Value);
    v.close();
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(format.values.length * format.itemsize);
    const expected = [format.values[4] as Value, ...format.values.slice(1)];
    expect(decode(format, bytes)).toEqual(expected);
    expect(bytes.equals(encode(format, expected))).toBe(true);
  });

  it('Buffer writes to a file the addon has open are seen by the addon, and the other way round', () => {
    const file = tmp.file();
    const v = MmapVector.open<DType>(file, { dtype: format.dtype });
    v.pushArray(format.values);
    // Another writer of the file's bytes (not through the addon): a positional write.
    const fd = fs.openSync(file, 'r+');
    try {
      const patch = encode(format, [format.values[0] as Value]);
      fs.writeSync(fd, patch, 0, patch.length, 2 * format.itemsize);
    } finally {
      fs.closeSync(fd);
    }
    expect(v.get(2)).toBe(format.values[0]);
    v.set(3, format.values[1] as Value);
    const bytes = fs.readFileSync(file);
    expect(decode(format, bytes)[3]).toBe(format.values[1]);
    v.close();
  });
});

describe('the format has no header', () => {
  it('an n-element file is exactly n * itemsize bytes and starts with element 0', () => {
    const file = tmp.file();
    const v = MmapVector.open(file, { dtype: 'uint32' });
    v.push(0xdeadbeef);
    v.close();
    expect([...fs.readFileSync(file)]).toEqual([0xef, 0xbe, 0xad, 0xde]);
  });

  it('the same bytes read as different dtypes', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.from([0x00, 0x00, 0x80, 0x3f, 0xff, 0xff, 0xff, 0xff]));
    const asFloat = MmapVector.open(file, { dtype: 'float32', mode: 'r' });
    expect(asFloat.get(0)).toBe(1);
    expect(Number.isNaN(asFloat.get(1))).toBe(true);
    asFloat.close();
    const asInt = MmapVector.open(file, { dtype: 'int32', mode: 'r' });
    expect([...asInt]).toEqual([0x3f800000, -1]);
    asInt.close();
    const asU64 = MmapVector.open(file, { dtype: 'u64', mode: 'r' });
    expect(asU64.get(0)).toBe(0xffffffff3f800000n);
    asU64.close();
    const asBytes = MmapVector.open(file, { dtype: 'uint8', mode: 'r' });
    expect(asBytes.length).toBe(8);
    asBytes.close();
  });
});

const python = spawnSync('python3', ['-c', 'import struct, sys; print(sys.version_info[0])'], { encoding: 'utf8' });
const hasPython = python.status === 0 && python.stdout.trim() === '3';

function runPython(script: string, ...args: string[]): string {
  const result = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe.skipIf(!hasPython)("Python's struct", () => {
  /** Python literals for each format's values, in the same order. */
  const literals: Record<DType, string> = {
    int8: '-128, 127, 0, -1, 17',
    uint8: '0, 255, 128, 1, 17',
    int16: '-32768, 32767, 0, -1, 0x1234',
    uint16: '0, 65535, 0x8001, 1, 0x1234',
    int32: '-2147483648, 2147483647, 0, -1, 0x12345678',
    uint32: '0, 4294967295, 0x80000001, 1, 0x12345678',
    int64: '-2**63, 2**63 - 1, 0, -1, 0x0102030405060708',
    uint64: '0, 2**64 - 1, 2**63 + 1, 1, 0x0102030405060708',
    float32: "1.5, -0.25, 3.4028234663852886e38, 1.401298464324817e-45, float('-inf')",
    float64: "0.1, -1/3, 1.7976931348623157e308, 5e-324, float('inf')",
  };

  it.each(formats)("a file written by struct.pack('<...') is read exactly: $dtype", (format) => {
    const file = tmp.file();
    const code = `${format.values.length}${format.struct}`;
    runPython(
      `import struct, sys\nopen(sys.argv[1], 'wb').write(struct.pack('<${code}', ${literals[format.dtype]}))`,
      file,
    );
    expect(fs.readFileSync(file).equals(encode(format, format.values))).toBe(true);
    const v = MmapVector.open<DType>(file, { dtype: format.dtype, mode: 'r' });
    expect([...v]).toEqual(format.values);
    expect(list(v.view())).toEqual(format.values);
    v.close();
  });

  it.each(formats)("a file written by the addon is read exactly by struct.unpack('<...'): $dtype", (format) => {
    const file = tmp.file();
    const v = MmapVector.open<DType>(file, { dtype: format.dtype, mode: 'w+' });
    v.pushArray(format.values);
    v.close();
    const code = `${format.values.length}${format.struct}`;
    const out = runPython(
      [
        'import struct, sys',
        `got = struct.unpack('<${code}', open(sys.argv[1], 'rb').read())`,
        `want = (${literals[format.dtype]},)`,
        // Compare floats by their bits in this width, so -0.0, inf and rounding are exact.
        `pack = lambda xs: struct.pack('<${code}', *xs)`,
        "print('same' if got == want and pack(got) == pack(want) else 'different %r %r' % (got, want))",
      ].join('\n'),
      file,
    );
    expect(out).toBe('same');
  });

  it('a larger float64 file from struct round-trips through the addon', () => {
    const file = tmp.file();
    runPython(
      "import struct, sys\nopen(sys.argv[1], 'wb').write(struct.pack('<1000d', *[i / 7 - 50 for i in range(1000)]))",
      file,
    );
    const v = MmapVector.open(file, { mode: 'r+' });
    expect(v.length).toBe(1000);
    for (let i = 0; i < 1000; i += 37) expect(v.get(i)).toBe(i / 7 - 50);
    v.push(123.25);
    v.close();
    const out = runPython(
      "import struct, sys\nxs = struct.unpack('<1001d', open(sys.argv[1], 'rb').read())\nprint(all(xs[i] == i / 7 - 50 for i in range(1000)) and xs[1000] == 123.25)",
      file,
    );
    expect(out).toBe('True');
  });
});
