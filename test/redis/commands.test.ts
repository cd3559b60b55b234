/**
 * Every MMVEC.* command and seed alias on the happy path, for every dtype, inside a real
 * redis-server. Replies are checked with their RESP type: `tag()` turns an integer
 * reply into ':<digits>' and a bulk string into '$<text>', so "int8 replies integers" and
 * "uint64 above 2^63-1 replies a bulk string" are asserted, not assumed. The connection
 * used for that has `stringNumbers` on, so 64-bit integers arrive exactly.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, features, startServer, type TestServer } from '../helpers/redis';

type Tagged = string | null | Tagged[];

/** ':n' for an integer reply, '$text' for a bulk string, null for nil, arrays as arrays. */
function tag(reply: unknown): Tagged {
  if (reply === null) return null;
  if (Buffer.isBuffer(reply)) return `$${reply.toString('latin1')}`;
  if (typeof reply === 'string' || typeof reply === 'number') return `:${reply}`;
  if (Array.isArray(reply)) return reply.map(tag);
  throw new Error(`unexpected reply ${String(reply)}`);
}

const int = (text: string | number): string => `:${text}`;
const bulk = (text: string): string => `$${text}`;

interface DTypeCase {
  name: string;
  /** What VTYPE answers, in the words of the seed's full version, if not the name. */
  vtype?: string;
  itemsize: number;
  /** Values as a client sends them. */
  values: string[];
  /** The reply for each of `values`, tagged. */
  replies: string[];
  /** The file's bytes for `values`. */
  bytes: Buffer;
  /** INCRBY on an element holding 10: deltas and the tagged replies. */
  increments: [string, string][];
  /** One more element for SETBLOB/ADDBLOB, as bytes, and its reply. */
  extra: [Buffer, string];
}

const le = (view: ArrayBufferView): Buffer => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
const hex = (text: string): Buffer => Buffer.from(text.replace(/ /g, ''), 'hex');
/** A float80 element: its ten bytes of value (as numpy's longdouble has them), six of zeros. */
const f80 = (...values: string[]): Buffer => Buffer.concat(values.map((v) => Buffer.concat([hex(v), Buffer.alloc(6)])));

function intCase(
  name: string,
  itemsize: number,
  values: string[],
  make: (values: number[]) => ArrayBufferView,
): DTypeCase {
  return {
    name,
    itemsize,
    values,
    replies: values.map(int),
    bytes: le(make(values.map(Number))),
    increments: [
      ['5', int(15)],
      ['-3', int(12)],
    ],
    extra: [le(make([99])), int(99)],
  };
}

const DTYPES: DTypeCase[] = [
  intCase('int8', 1, ['-128', '127', '0', '-5'], (v) => Int8Array.from(v)),
  intCase('uint8', 1, ['0', '255', '7'], (v) => Uint8Array.from(v)),
  intCase('int16', 2, ['-32768', '32767', '1000'], (v) => Int16Array.from(v)),
  intCase('uint16', 2, ['0', '65535', '1000'], (v) => Uint16Array.from(v)),
  intCase('int32', 4, ['-2147483648', '2147483647', '-7'], (v) => Int32Array.from(v)),
  intCase('uint32', 4, ['0', '4294967295', '123456'], (v) => Uint32Array.from(v)),
  {
    name: 'int64',
    itemsize: 8,
    values: ['-9223372036854775808', '9223372036854775807', '42'],
    replies: [int('-9223372036854775808'), int('9223372036854775807'), int(42)],
    bytes: le(BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 42n])),
    increments: [
      ['5', int(15)],
      ['-3', int(12)],
    ],
    extra: [le(BigInt64Array.from([-(2n ** 62n)])), int('-4611686018427387904')],
  },
  {
    name: 'uint64',
    itemsize: 8,
    values: ['0', '9223372036854775807', '9223372036854775808', '18446744073709551615'],
    // RESP integers are signed 64-bit: above 2^63-1 the value comes as its decimal text.
    replies: [int(0), int('9223372036854775807'), bulk('9223372036854775808'), bulk('18446744073709551615')],
    bytes: le(BigUint64Array.from([0n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n])),
    increments: [
      ['5', int(15)],
      ['-3', int(12)],
    ],
    extra: [le(BigUint64Array.from([2n ** 64n - 2n])), bulk('18446744073709551614')],
  },
  {
    name: 'float32',
    itemsize: 4,
    values: ['0.1', '-2.5', '1e20', 'inf', '3'],
    replies: [bulk('0.1'), bulk('-2.5'), bulk('1e20'), bulk('inf'), bulk('3')],
    bytes: le(Float32Array.from([0.1, -2.5, 1e20, Infinity, 3])),
    increments: [
      ['0.5', bulk('10.5')],
      ['-0.25', bulk('10.25')],
    ],
    extra: [le(Float32Array.from([0.2])), bulk('0.2')],
  },
  {
    name: 'float64',
    itemsize: 8,
    values: ['0.1', '-2.5', '1e300', '1.7976931348623157e308', '-0', '5e-324'],
    replies: [bulk('0.1'), bulk('-2.5'), bulk('1e300'), bulk('1.7976931348623157e308'), bulk('-0'), bulk('5e-324')],
    bytes: le(Float64Array.from([0.1, -2.5, 1e300, Number.MAX_VALUE, -0, Number.MIN_VALUE])),
    increments: [
      ['0.1', bulk('10.1')],
      ['0.2', bulk('10.299999999999999')],
    ],
    extra: [le(Float64Array.from([1 / 3])), bulk(String(1 / 3))],
  },
  {
    // Bits from numpy's float16; a reply is the shortest text that reads back as the same
    // half (65504, the largest, is nearer to 65500 than to any other half).
    name: 'float16',
    itemsize: 2,
    values: ['0.1', '-2.5', '65504', 'inf', '3', '-0'],
    replies: [bulk('0.1'), bulk('-2.5'), bulk('65500'), bulk('inf'), bulk('3'), bulk('-0')],
    bytes: hex('662e 00c1 ff7b 007c 0042 0080'),
    increments: [
      ['0.5', bulk('10.5')],
      ['-0.25', bulk('10.25')],
    ],
    extra: [hex('6632'), bulk('0.2')],
  },
  {
    // Bits from ml_dtypes' bfloat16.
    name: 'bfloat16',
    itemsize: 2,
    values: ['0.1', '-2.5', '1e38', 'inf', '3'],
    replies: [bulk('0.1'), bulk('-2.5'), bulk('1e38'), bulk('inf'), bulk('3')],
    bytes: hex('cd3d 20c0 967e 807f 4040'),
    increments: [
      ['0.5', bulk('10.5')],
      ['-0.25', bulk('10.25')],
    ],
    extra: [hex('4d3e'), bulk('0.2')],
  },
  {
    // Bits from numpy's longdouble (x86-64); the slot's last six bytes are written as zeros.
    name: 'float80',
    vtype: 'long_double',
    itemsize: 16,
    values: ['0', '2', '-2.5', '0.1', '1.18973149535723176502e+4932'],
    replies: [bulk('0'), bulk('2'), bulk('-2.5'), bulk('0.1'), bulk('1.189731495357231765e4932')],
    bytes: f80(
      '00000000000000000000',
      '00000000000000800040',
      '00000000000000a000c0',
      'cdccccccccccccccfb3f',
      'fffffffffffffffffe7f',
    ),
    increments: [
      ['0.1', bulk('10.1')],
      ['0.2', bulk('10.3')],
    ],
    extra: [f80('abaaaaaaaaaaaaaafd3f'), bulk('0.33333333333333333334')],
  },
];

/** VTYPE's name for a canonical dtype: the seed's full version's `float`, `double`, `long_double`, `string`. */
const vocabulary = (canonical: string): string =>
  canonical.startsWith('bytes')
    ? 'string'
    : ({ float32: 'float', float64: 'double', float80: 'long_double' }[canonical] ?? canonical);

describe('MMVEC.* commands and seed aliases', () => {
  let server: TestServer;
  /** Integers as exact strings, for tag(). */
  let exact: Redis;
  let realDir: string;

  const call = (command: string, ...args: (string | Buffer)[]): Promise<unknown> => server.redis.call(command, ...args);
  const typed = async (command: string, ...args: (string | Buffer)[]): Promise<Tagged> =>
    tag(await exact.callBuffer(command, ...args));
  const fileOf = (name: string): string => path.join(server.dir, name);
  const bytesOf = (name: string): Buffer => fs.readFileSync(fileOf(name));

  beforeAll(async () => {
    server = await startServer();
    exact = new Redis({ port: server.port, host: '127.0.0.1', stringNumbers: true, maxRetriesPerRequest: 1 });
    realDir = fs.realpathSync(server.dir);
  });
  afterAll(async () => {
    exact.disconnect();
    await server.stop();
  });

  describe.each(DTYPES)('dtype $name', (dt) => {
    const key = `vec:${dt.name}`;
    const file = `${dt.name}.bin`;
    const n = dt.values.length;

    it('opens, adds, reads, writes, increments, pops, moves blobs and clears', async () => {
      expect(await typed('MMVEC.OPEN', key, file, 'TYPE', dt.name)).toBe(int(0));
      expect(bytesOf(file).length).toBe(0);
      expect(await typed('VTYPE', key)).toBe(bulk(vocabulary(dt.name)));
      expect(await typed('VSIZE', key)).toBe(int(dt.itemsize));

      // ADD: the file holds exactly the little-endian elements.
      expect(await typed('MMVEC.ADD', key, ...dt.values)).toBe(int(n));
      expect(bytesOf(file)).toEqual(dt.bytes);
      expect(await typed('MMVEC.COUNT', key)).toBe(int(n));

      // GET / MGET / RANGE / VALL.
      for (let i = 0; i < n; i++) expect(await typed('MMVEC.GET', key, String(i))).toBe(dt.replies[i]);
      expect(await typed('MMVEC.GET', key, String(n))).toBeNull();
      const indices = [...dt.values.keys()].reverse().map(String);
      expect(await typed('MMVEC.MGET', key, ...indices, String(n))).toEqual([...[...dt.replies].reverse(), null]);
      expect(await typed('MMVEC.RANGE', key, '0', '-1')).toEqual(dt.replies);
      expect(await typed('VALL', key)).toEqual(dt.replies);

      // GETBLOB: the file's bytes.
      expect(await exact.callBuffer('MMVEC.GETBLOB', key, '0', String(n))).toEqual(dt.bytes);
      expect(await exact.callBuffer('MMVEC.GETBLOB', key, '1', '1')).toEqual(
        dt.bytes.subarray(dt.itemsize, 2 * dt.itemsize),
      );

      // SET swaps the first and last values.
      expect(await typed('MMVEC.SET', key, '0', dt.values[n - 1], String(n - 1), dt.values[0])).toBe(int(2));
      expect(await typed('MMVEC.MGET', key, '0', String(n - 1))).toEqual([dt.replies[n - 1], dt.replies[0]]);
      expect(bytesOf(file).subarray(0, dt.itemsize)).toEqual(dt.bytes.subarray((n - 1) * dt.itemsize));
      expect(await typed('MMVEC.SET', key, '0', dt.values[0], String(n - 1), dt.values[n - 1])).toBe(int(2));
      expect(bytesOf(file)).toEqual(dt.bytes);

      // INCRBY on a new element holding 10.
      expect(await typed('MMVEC.ADD', key, '10')).toBe(int(1));
      for (const [delta, reply] of dt.increments) {
        expect(await typed('MMVEC.INCRBY', key, String(n), delta)).toBe(reply);
      }
      expect(await typed('MMVEC.GET', key, String(n))).toBe(dt.increments[dt.increments.length - 1][1]);

      // POP returns it and shrinks the file.
      expect(await typed('MMVEC.POP', key)).toBe(dt.increments[dt.increments.length - 1][1]);
      expect(await typed('MMVEC.COUNT', key)).toBe(int(n));
      expect(bytesOf(file)).toEqual(dt.bytes);

      // ADDBLOB appends raw bytes; SETBLOB overwrites them.
      const [extraBytes, extraReply] = dt.extra;
      expect(await typed('MMVEC.ADDBLOB', key, extraBytes)).toBe(int(1));
      expect(bytesOf(file)).toEqual(Buffer.concat([dt.bytes, extraBytes]));
      expect(await typed('MMVEC.GET', key, String(n))).toBe(extraReply);
      expect(await typed('MMVEC.SETBLOB', key, '0', extraBytes)).toBe(int(1));
      expect(await typed('MMVEC.GET', key, '0')).toBe(extraReply);
      expect(await typed('MMVEC.SETBLOB', key, '0', dt.bytes)).toBe(int(n));
      expect(bytesOf(file)).toEqual(Buffer.concat([dt.bytes, extraBytes]));

      // INFO, SYNC, and the seed's describing commands.
      const size = (n + 1) * dt.itemsize;
      expect(await call('MMVEC.INFO', key)).toEqual([
        'path',
        file,
        'file',
        path.join(realDir, file),
        'dtype',
        dt.name,
        'itemsize',
        dt.itemsize,
        'count',
        n + 1,
        'bytes',
        size,
        'mode',
        'read-write',
        'backing',
        'mapped',
        'format',
        'raw',
      ]);
      expect(await call('MMVEC.SYNC', key)).toBe('OK');
      expect(await call('VFILEPATH', key)).toBe(file);

      // CLEAR replies the count it had; the file is empty.
      expect(await typed('MMVEC.CLEAR', key)).toBe(int(n + 1));
      expect(await typed('MMVEC.COUNT', key)).toBe(int(0));
      expect(bytesOf(file).length).toBe(0);
      expect(await typed('MMVEC.POP', key)).toBeNull();
      expect(await typed('MMVEC.RANGE', key, '0', '-1')).toEqual([]);
      expect(await exact.callBuffer('MMVEC.GETBLOB', key, '0', '10')).toEqual(Buffer.alloc(0));
    });

    it('maps a file written outside Redis, read-only, with the same replies', async () => {
      const roFile = `${dt.name}.ro.bin`;
      fs.writeFileSync(fileOf(roFile), dt.bytes);
      expect(await typed('MMVEC.OPEN', `ro:${dt.name}`, roFile, 'READONLY', 'TYPE', dt.name.toUpperCase())).toBe(
        int(n),
      );
      expect(await typed('MMVEC.RANGE', `ro:${dt.name}`, '0', '-1')).toEqual(dt.replies);
      expect(await call('MMVEC.INFO', `ro:${dt.name}`)).toContain('read-only');
    });
  });

  it('every dtype alias names its canonical dtype', async () => {
    const aliases: [string, string, number][] = [
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
      ['INT8', 'int8', 1],
      ['Float64', 'float64', 8],
      ['DOUBLE', 'float64', 8],
      ['U64', 'uint64', 8],
      ['f16', 'float16', 2],
      ['half', 'float16', 2],
      ['bf16', 'bfloat16', 2],
      ['long_double', 'float80', 16],
      ['longdouble', 'float80', 16],
      ['float128', 'float80', 16],
      ['S8', 'bytes8', 8],
      ['s3', 'bytes3', 3],
      ['BYTES65536', 'bytes65536', 65536],
    ];
    for (const [alias, canonical, itemsize] of aliases) {
      const key = `alias:${alias}`;
      expect(await call('MMVEC.OPEN', key, `alias-${alias}.bin`, 'TYPE', alias)).toBe(0);
      expect(await call('VTYPE', key)).toBe(vocabulary(canonical));
      expect((await call('MMVEC.INFO', key)) as unknown[]).toContain(canonical);
      expect(await call('VSIZE', key)).toBe(itemsize);
      expect(await call('VADD', key, '1', '2')).toBe(2);
      expect(fs.statSync(fileOf(`alias-${alias}.bin`)).size).toBe(2 * itemsize);
    }
  });

  it('the default dtype is float64, as in the seed', async () => {
    expect(await call('MMVEC.OPEN', 'default', 'default.bin')).toBe(0);
    expect(await call('VTYPE', 'default')).toBe('double');
    expect(await call('MMVEC.ADD', 'default', '0.1')).toBe(1);
    expect(bytesOf('default.bin')).toEqual(le(Float64Array.from([0.1])));
  });

  it('seed aliases and namespaced names are the same commands', async () => {
    const pairs: [string, string][] = [
      ['MMAP', 'MMVEC.OPEN'],
      ['VGET', 'MMVEC.GET'],
      ['VMGET', 'MMVEC.MGET'],
      ['VSET', 'MMVEC.SET'],
      ['VADD', 'MMVEC.ADD'],
      ['VPOP', 'MMVEC.POP'],
      ['VCOUNT', 'MMVEC.COUNT'],
      ['VCLEAR', 'MMVEC.CLEAR'],
    ];
    // Where the server has its own VADD (Redis 8's vector sets), the seed's calls of it reach
    // MMVEC.ADD through the command filter (aliases.test.ts), and COMMAND INFO is the server's.
    for (const [alias, name] of pairs.filter(([alias]) => !(alias === 'VADD' && features.vectorSets))) {
      // Same arity, flags and key positions; only the name differs.
      const [[, aliasArity, aliasFlags, first, last, step]] = (await call('COMMAND', 'INFO', alias)) as unknown[][];
      const [[, nameArity, nameFlags, ...nameKeys]] = (await call('COMMAND', 'INFO', name)) as unknown[][];
      expect([aliasArity, aliasFlags, first, last, step]).toEqual([nameArity, nameFlags, ...nameKeys.slice(0, 3)]);
    }
    // Both names on one key, interleaved.
    expect(await call('MMAP', 'both', 'both.bin')).toBe(0);
    expect(await call('MMVEC.OPEN', 'both', 'both.bin')).toBe(0);
    expect(await call('VADD', 'both', '1', '2', '3')).toBe(3);
    expect(await call('MMVEC.ADD', 'both', '4')).toBe(1);
    expect(await call('VCOUNT', 'both')).toBe(4);
    expect(await call('MMVEC.COUNT', 'both')).toBe(4);
    expect(await call('VGET', 'both', '3')).toBe('4');
    expect(await call('MMVEC.GET', 'both', '0')).toBe('1');
    expect(await call('VMGET', 'both', '0', '9')).toEqual(['1', null]);
    expect(await call('MMVEC.MGET', 'both', '1', '2')).toEqual(['2', '3']);
    expect(await call('VSET', 'both', '0', '10')).toBe(1);
    expect(await call('MMVEC.SET', 'both', '1', '20', '2', '30')).toBe(2);
    expect(await call('VALL', 'both')).toEqual(['10', '20', '30', '4']);
    expect(await call('VPOP', 'both')).toBe('4');
    expect(await call('MMVEC.POP', 'both')).toBe('30');
    expect(await call('VCLEAR', 'both')).toBe(2);
    expect(await call('MMVEC.CLEAR', 'both')).toBe(0);
    expect(fs.statSync(fileOf('both.bin')).size).toBe(0);
  });

  it('SET and ADD take many values; SET may name an index twice (the last wins)', async () => {
    expect(await call('MMVEC.OPEN', 'many', 'many.bin', 'TYPE', 'int16')).toBe(0);
    const values = Array.from({ length: 100 }, (_, i) => String(i * 3 - 150));
    expect(await call('MMVEC.ADD', 'many', ...values)).toBe(100);
    expect(await call('MMVEC.RANGE', 'many', '0', '-1')).toEqual(values.map(Number));
    expect(await call('MMVEC.SET', 'many', '5', '1', '5', '2', '99', '-1')).toBe(3);
    expect(await call('MMVEC.MGET', 'many', '5', '99')).toEqual([2, -1]);
    expect(bytesOf('many.bin').readInt16LE(5 * 2)).toBe(2);
  });

  it('RANGE follows LRANGE: inclusive, negative from the end, clamped, empty when crossed', async () => {
    expect(await call('MMVEC.OPEN', 'r', 'r.bin', 'TYPE', 'int32')).toBe(0);
    expect(await call('MMVEC.ADD', 'r', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9')).toBe(10);
    const range = (start: number, stop: number): Promise<unknown> =>
      call('MMVEC.RANGE', 'r', String(start), String(stop));
    const seq = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(await range(0, -1)).toEqual(seq(0, 9));
    expect(await range(2, 4)).toEqual([2, 3, 4]);
    expect(await range(0, 0)).toEqual([0]);
    expect(await range(-1, -1)).toEqual([9]);
    expect(await range(-3, -1)).toEqual([7, 8, 9]);
    expect(await range(5, 100)).toEqual(seq(5, 9));
    expect(await range(-100, 2)).toEqual([0, 1, 2]);
    expect(await range(-100, 100)).toEqual(seq(0, 9));
    expect(await range(3, -5)).toEqual([3, 4, 5]);
    expect(await range(7, 3)).toEqual([]);
    expect(await range(10, 20)).toEqual([]);
    expect(await range(-100, -50)).toEqual([]);
    expect(await range(9, 9)).toEqual([9]);
    expect(await range(-1, 0)).toEqual([]);
    expect(await call('MMVEC.RANGE', 'r', '-9223372036854775808', '9223372036854775807')).toEqual(seq(0, 9));
    // A missing key and an empty vector are empty ranges.
    expect(await call('MMVEC.RANGE', 'missing', '0', '-1')).toEqual([]);
    expect(await call('MMVEC.OPEN', 'r0', 'r0.bin')).toBe(0);
    expect(await call('MMVEC.RANGE', 'r0', '0', '-1')).toEqual([]);
    expect(await call('MMVEC.RANGE', 'r0', '-1', '0')).toEqual([]);
  });

  it('GETBLOB clamps to the end; SETBLOB may run past the end and at the end appends', async () => {
    expect(await call('MMVEC.OPEN', 'b', 'b.bin', 'TYPE', 'uint16')).toBe(0);
    const u16 = (...values: number[]): Buffer => le(Uint16Array.from(values));
    expect(await call('MMVEC.ADDBLOB', 'b', u16(1, 2, 3, 4))).toBe(4);
    expect(await call('MMVEC.ADDBLOB', 'b', Buffer.alloc(0))).toBe(0);
    const getBlob = (start: number, count: number): Promise<Buffer> =>
      server.redis.callBuffer('MMVEC.GETBLOB', 'b', String(start), String(count)) as Promise<Buffer>;
    expect(await getBlob(0, 4)).toEqual(u16(1, 2, 3, 4));
    expect(await getBlob(1, 2)).toEqual(u16(2, 3));
    expect(await getBlob(2, 100)).toEqual(u16(3, 4));
    expect(await getBlob(0, 0)).toEqual(Buffer.alloc(0));
    expect(await getBlob(4, 1)).toEqual(Buffer.alloc(0));
    expect(await getBlob(100, 1)).toEqual(Buffer.alloc(0));
    expect(await getBlob(0, Number.MAX_SAFE_INTEGER)).toEqual(u16(1, 2, 3, 4));
    expect(await call('MMVEC.GETBLOB', 'b', '9223372036854775807', '9223372036854775807')).toBe('');
    // Overlapping the end grows the vector; starting at the end appends.
    expect(await call('MMVEC.SETBLOB', 'b', '3', u16(40, 50))).toBe(2);
    expect(await call('MMVEC.SETBLOB', 'b', '5', u16(60))).toBe(1);
    expect(await call('MMVEC.SETBLOB', 'b', '0', Buffer.alloc(0))).toBe(0);
    expect(bytesOf('b.bin')).toEqual(u16(1, 2, 3, 40, 50, 60));
    expect(await call('MMVEC.COUNT', 'b')).toBe(6);
    expect(await call('MMVEC.GETBLOB', 'missing', '0', '1')).toBeNull();
  });

  it('blobs carry bytes that are not valid text, exactly', async () => {
    expect(await call('MMVEC.OPEN', 'raw', 'raw.bin', 'TYPE', 'uint8')).toBe(0);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(await call('MMVEC.ADDBLOB', 'raw', all)).toBe(256);
    expect(await server.redis.callBuffer('MMVEC.GETBLOB', 'raw', '0', '256')).toEqual(all);
    expect(bytesOf('raw.bin')).toEqual(all);
    expect(await call('MMVEC.GET', 'raw', '255')).toBe(255);
  });

  it('INCRBY: integers with negative deltas (unsigned too), floats with fractions', async () => {
    expect(await call('MMVEC.OPEN', 'iu8', 'iu8.bin', 'TYPE', 'uint8')).toBe(0);
    expect(await call('MMVEC.ADD', 'iu8', '5')).toBe(1);
    expect(await call('MMVEC.INCRBY', 'iu8', '0', '-5')).toBe(0);
    expect(await call('MMVEC.INCRBY', 'iu8', '0', '255')).toBe(255);
    expect(await call('MMVEC.OPEN', 'if32', 'if32.bin', 'TYPE', 'float32')).toBe(0);
    expect(await call('MMVEC.ADD', 'if32', '0.5')).toBe(1);
    expect(await call('MMVEC.INCRBY', 'if32', '0', '0.25')).toBe('0.75');
    expect(await call('MMVEC.INCRBY', 'if32', '0', '1e-1')).toBe('0.85');
    expect(bytesOf('if32.bin')).toEqual(le(Float32Array.from([0.85])));
    expect(await call('MMVEC.OPEN', 'if64', 'if64.bin')).toBe(0);
    expect(await call('MMVEC.ADD', 'if64', '0.1')).toBe(1);
    expect(await call('MMVEC.INCRBY', 'if64', '0', '0.2')).toBe('0.30000000000000004');
    expect(await call('MMVEC.INCRBY', 'if64', '0', '-1e3')).toBe(String(0.1 + 0.2 - 1000));
    expect(await call('MMVEC.INCRBY', 'if64', '0', '0')).toBe(String(0.1 + 0.2 - 1000));
  });

  it('READONLY opens a file without locking it, and answers reads', async () => {
    fs.writeFileSync(fileOf('shared.bin'), le(Int32Array.from([7, 8, 9])));
    expect(await call('MMVEC.OPEN', 'rw', 'shared.bin', 'TYPE', 'int32')).toBe(3);
    expect(await call('MMVEC.OPEN', 'ro1', 'shared.bin', 'TYPE', 'int32', 'READONLY')).toBe(3);
    expect(await call('MMVEC.OPEN', 'ro2', 'shared.bin', 'readonly', 'type', 'i32')).toBe(3);
    expect(await call('MMVEC.MGET', 'ro1', '0', '1', '2', '3')).toEqual([7, 8, 9, null]);
    expect(await call('MMVEC.RANGE', 'ro2', '-2', '-1')).toEqual([8, 9]);
    expect(await server.redis.callBuffer('MMVEC.GETBLOB', 'ro1', '0', '3')).toEqual(le(Int32Array.from([7, 8, 9])));
    expect(await call('MMVEC.SYNC', 'ro1')).toBe('OK');
    expect(await call('MMVEC.INFO', 'ro1')).toEqual([
      'path',
      'shared.bin',
      'file',
      path.join(realDir, 'shared.bin'),
      'dtype',
      'int32',
      'itemsize',
      4,
      'count',
      3,
      'bytes',
      12,
      'mode',
      'read-only',
      'backing',
      'mapped',
      'format',
      'raw',
    ]);
    // Reopening the same binding is idempotent.
    expect(await call('MMVEC.OPEN', 'ro1', 'shared.bin', 'TYPE', 'int32', 'READONLY')).toBe(3);
    // A read-only open of an empty file works too.
    fs.writeFileSync(fileOf('empty.bin'), Buffer.alloc(0));
    expect(await call('MMVEC.OPEN', 'ro3', 'empty.bin', 'READONLY')).toBe(0);
    expect(await call('MMVEC.GET', 'ro3', '0')).toBeNull();
    expect(await call('MMVEC.RANGE', 'ro3', '0', '-1')).toEqual([]);
  });

  describe("the seed's full version: MMAP key path value_type [value_size] [writable]", () => {
    it('without writable the key is read-only and the file must exist', async () => {
      fs.writeFileSync(fileOf('seed-ro.bin'), le(Float64Array.from([1.5, 2.5])));
      expect(await call('MMAP', 'sro', 'seed-ro.bin', 'double')).toBe(2);
      expect(await call('VALL', 'sro')).toEqual(['1.5', '2.5']);
      expect(await call('VTYPE', 'sro')).toBe('double');
      expect(await call('VSIZE', 'sro')).toBe(8);
      expect(await call('VFILEPATH', 'sro')).toBe('seed-ro.bin');
      expect((await call('MMVEC.INFO', 'sro')) as unknown[]).toContain('read-only');
      expect(await errorOf(call('VSET', 'sro', '0', '1'))).toBe('ERR vector is read-only');
      expect(fs.existsSync(fileOf('seed-new.bin'))).toBe(false);
      expect(await errorOf(call('MMAP', 'snew', 'seed-new.bin', 'double'))).toBe(
        `ERR no such file or directory: ${path.join(realDir, 'seed-new.bin')}`,
      );
      expect(fs.existsSync(fileOf('seed-new.bin'))).toBe(false);
    });

    it('value_size, when given, is the type size; writable makes the key read-write and creates the file', async () => {
      expect(await call('MMAP', 'sw1', 'seed-w1.bin', 'int32', '4', 'writable')).toBe(0);
      expect(await call('VADD', 'sw1', '-1', '2')).toBe(2);
      expect(bytesOf('seed-w1.bin')).toEqual(le(Int32Array.from([-1, 2])));
      expect(await call('VALL', 'sw1')).toEqual([-1, 2]);
      expect(await call('VTYPE', 'sw1')).toBe('int32');

      expect(await call('MMAP', 'sw2', 'seed-w2.bin', 'uint16', 'WRITABLE')).toBe(0);
      expect(await call('VADD', 'sw2', '65535')).toBe(1);
      expect(await call('VSIZE', 'sw2')).toBe(2);

      expect(await call('MMAP', 'sw3', 'seed-w3.bin', 'float', 'writable', '4')).toBe(0);
      expect(await call('VTYPE', 'sw3')).toBe('float');
      expect(await call('VADD', 'sw3', '0.1')).toBe(1);
      expect(await call('VGET', 'sw3', '0')).toBe('0.1');

      fs.writeFileSync(fileOf('seed-r8.bin'), Buffer.from([0xff, 0x01]));
      expect(await call('MMAP', 'sr8', 'seed-r8.bin', 'int8', '1')).toBe(2);
      expect(await call('VALL', 'sr8')).toEqual([-1, 1]);
      expect(await call('MMVEC.INFO', 'sr8')).toContain('read-only');
      expect(await call('MMAP', 'su64', 'seed-u64.bin', 'uint64', 'writable')).toBe(0);
      expect(await call('VTYPE', 'su64')).toBe('uint64');
    });

    it('VALL, VTYPE, VSIZE and VFILEPATH answer nil or empty for a missing key', async () => {
      expect(await call('VALL', 'nope')).toEqual([]);
      expect(await call('VTYPE', 'nope')).toBeNull();
      expect(await call('VSIZE', 'nope')).toBeNull();
      expect(await call('VFILEPATH', 'nope')).toBeNull();
    });
  });

  it('missing keys read as empty: nil, 0, or an empty array', async () => {
    expect(await call('VGET', 'absent', '0')).toBeNull();
    expect(await call('VMGET', 'absent', '0', '1')).toEqual([null, null]);
    expect(await call('VCOUNT', 'absent')).toBe(0);
    expect(await call('VPOP', 'absent')).toBeNull();
    expect(await call('VCLEAR', 'absent')).toBe(0);
    expect(await call('MMVEC.RANGE', 'absent', '0', '-1')).toEqual([]);
    expect(await call('MMVEC.GETBLOB', 'absent', '0', '1')).toBeNull();
    expect(await call('MMVEC.INFO', 'absent')).toBeNull();
    expect(await call('EXISTS', 'absent')).toBe(0);
  });

  it('COMMAND GETKEYS finds the key at argument 1 for every command (Redis Cluster routing)', async () => {
    expect(await call('COMMAND', 'GETKEYS', 'MMVEC.SET', 'k', '0', '1')).toEqual(['k']);
    const forms: string[][] = [
      ['MMVEC.OPEN', 'k', 'p'],
      ['MMVEC.GET', 'k', '0'],
      ['MMVEC.MGET', 'k', '0', '1'],
      ['MMVEC.SET', 'k', '0', '1'],
      ['MMVEC.ADD', 'k', '1'],
      ['MMVEC.POP', 'k'],
      ['MMVEC.COUNT', 'k'],
      ['MMVEC.CLEAR', 'k'],
      ['MMVEC.RANGE', 'k', '0', '1'],
      ['MMVEC.GETBLOB', 'k', '0', '1'],
      ['MMVEC.SETBLOB', 'k', '0', 'x'],
      ['MMVEC.ADDBLOB', 'k', 'x'],
      ['MMVEC.INCRBY', 'k', '0', '1'],
      ['MMVEC.INFO', 'k'],
      ['MMVEC.SYNC', 'k'],
      ['MMAP', 'k', 'p'],
      ['VGET', 'k', '0'],
      ['VMGET', 'k', '0'],
      ['VSET', 'k', '0', '1'],
      ['VADD', 'k', '1'],
      ['VPOP', 'k'],
      ['VCOUNT', 'k'],
      ['VCLEAR', 'k'],
      ['VALL', 'k'],
      ['VTYPE', 'k'],
      ['VSIZE', 'k'],
      ['VFILEPATH', 'k'],
    ];
    for (const form of forms) {
      expect(await call('COMMAND', 'GETKEYS', ...form), form.join(' ')).toEqual(['k']);
    }
  });

  it('keys survive RENAME and work under the new name', async () => {
    expect(await call('MMVEC.OPEN', 'old', 'renamed.bin', 'TYPE', 'int8')).toBe(0);
    expect(await call('MMVEC.ADD', 'old', '1', '2')).toBe(2);
    expect(await call('RENAME', 'old', 'new')).toBe('OK');
    expect(await call('MMVEC.COUNT', 'old')).toBe(0);
    expect(await call('MMVEC.RANGE', 'new', '0', '-1')).toEqual([1, 2]);
    expect(await call('TYPE', 'new')).toBe('mmvec-vec');
  });
});

describe('module argument ALIASES no', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ moduleArgs: ['ALIASES', 'no'] });
  });
  afterAll(async () => server.stop());

  it('registers only the namespaced names', async () => {
    const call = (command: string, ...args: string[]): Promise<unknown> => server.redis.call(command, ...args);
    for (const alias of [
      'MMAP',
      'VGET',
      'VMGET',
      'VSET',
      'VADD',
      'VPOP',
      'VCOUNT',
      'VCLEAR',
      'VALL',
      'VTYPE',
      'VSIZE',
      'VFILEPATH',
    ]) {
      // Redis 8 has a VADD of its own (vector sets); no other name is the server's.
      if (alias === 'VADD' && features.vectorSets) continue;
      expect(await call('COMMAND', 'INFO', alias)).toEqual([null]);
    }
    expect(await errorOf(call('VGET', 'db', '5'))).toBe(
      "ERR unknown command 'VGET', with args beginning with: 'db' '5' ",
    );
    expect(await errorOf(call('MMAP', 'db', 'file.mmap'))).toMatch(/^ERR unknown command 'MMAP'/);
    expect(fs.existsSync(path.join(server.dir, 'file.mmap'))).toBe(false);
    expect(await call('MMVEC.OPEN', 'db', 'file.mmap')).toBe(0);
    expect(await call('MMVEC.ADD', 'db', '0.5')).toBe(1);
    expect(await call('MMVEC.GET', 'db', '0')).toBe('0.5');
    expect(await call('MMVEC.COUNT', 'db')).toBe(1);
  });
});
