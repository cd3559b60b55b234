/**
 * The types of the seed's full version (t-fuchi/RedisMMap) that 0.1 lacked, `string N`
 * (`bytes<N>`, numpy's `S<N>`) and `long_double` (`float80`), and float16 and bfloat16,
 * inside a real redis-server: the full version's own expectations, the exact error texts,
 * and the bytes in the file.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startServer, testedServer, type TestServer } from '../helpers/redis';

describe(`string, long_double, float16 and bfloat16 keys on ${testedServer().label}`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  const call = (command: string, ...args: (string | Buffer)[]): Promise<unknown> => server.redis.call(command, ...args);
  const buffers = async (command: string, ...args: string[]): Promise<unknown> =>
    server.redis.callBuffer(command, ...args);
  const fileOf = (name: string): string => path.join(server.dir, name);
  const bytesOf = (name: string): Buffer => fs.readFileSync(fileOf(name));
  const padded = (text: string, width: number): Buffer => {
    const out = Buffer.alloc(width);
    Buffer.from(text, 'latin1').copy(out);
    return out;
  };

  describe('string 8 (bytes8), as the full version tests it', () => {
    const added = ['a', 'ab', 'abc', 'abcd', 'abcd e', 'abcd e f'];

    it('VADD answers 6, VGET 1 answers ab, VALL returns exactly what was added; the file is NUL-padded', async () => {
      expect(await call('MMAP', 'db', 'file.mmap', 'string', '8', 'writable')).toBe(0);
      expect(await call('VADD', 'db', ...added)).toBe(6);
      expect(await call('VGET', 'db', '1')).toBe('ab');
      expect(await call('VALL', 'db')).toEqual(added);
      expect(await call('VCOUNT', 'db')).toBe(6);
      expect(bytesOf('file.mmap')).toEqual(Buffer.concat(added.map((v) => padded(v, 8))));
      expect(await call('VTYPE', 'db')).toBe('string');
      expect(await call('VSIZE', 'db')).toBe(8);
      expect((await call('MMVEC.INFO', 'db')) as unknown[]).toEqual(expect.arrayContaining(['dtype', 'bytes8']));
    });

    it('a 9-byte value is an error that names 8, and nothing is written', async () => {
      expect(await errorOf(call('VADD', 'db', 'ok', 'abcdefghi'))).toBe(
        "ERR value 'abcdefghi' is not valid for bytes8: 9 bytes is longer than 8",
      );
      expect(await errorOf(call('VSET', 'db', '0', 'abcdefghi'))).toBe(
        "ERR value 'abcdefghi' is not valid for bytes8: 9 bytes is longer than 8",
      );
      expect(await call('VALL', 'db')).toEqual(added);
    });

    it('VSET, VPOP, an empty value (8 NULs) and binary values; reads strip trailing NULs only', async () => {
      expect(await call('VSET', 'db', '0', 'z', '5', '')).toBe(2);
      expect(bytesOf('file.mmap').subarray(40, 48)).toEqual(Buffer.alloc(8));
      expect(await call('VGET', 'db', '5')).toBe('');
      const binary = Buffer.from([0, 0xff, 0x0d, 0x0a, 0, 0x41]);
      expect(await call('VADD', 'db', binary, Buffer.from('xy\0\0'))).toBe(2);
      expect(await buffers('VGET', 'db', '6')).toEqual(binary);
      expect(await buffers('VGET', 'db', '7')).toEqual(Buffer.from('xy'));
      expect(await buffers('VPOP', 'db')).toEqual(Buffer.from('xy'));
      expect(await buffers('VPOP', 'db')).toEqual(binary);
      expect(await call('MMVEC.RANGE', 'db', '0', '1')).toEqual(['z', 'ab']);
      expect(await call('VMGET', 'db', '4', '9')).toEqual(['abcd e', null]);
    });

    it('INCRBY is refused; GETBLOB, SETBLOB and ADDBLOB move the raw elements', async () => {
      expect(await errorOf(call('MMVEC.INCRBY', 'db', '0', '1'))).toBe(
        "ERR value '1' is not valid for bytes8: a byte string has no increment",
      );
      expect(await buffers('MMVEC.GETBLOB', 'db', '1', '2')).toEqual(
        Buffer.concat([padded('ab', 8), padded('abc', 8)]),
      );
      expect(await call('MMVEC.ADDBLOB', 'db', Buffer.concat([padded('blob', 8), Buffer.from('12345678')]))).toBe(2);
      expect(await call('VGET', 'db', '6')).toBe('blob');
      expect(await call('VGET', 'db', '7')).toBe('12345678');
      expect(await call('MMVEC.SETBLOB', 'db', '0', padded('first', 8))).toBe(1);
      expect(await call('VGET', 'db', '0')).toBe('first');
      expect(await errorOf(call('MMVEC.ADDBLOB', 'db', Buffer.from('odd')))).toBe(
        'ERR 3 bytes is not a whole number of bytes8 elements (8 bytes each)',
      );
      expect(await call('VCLEAR', 'db')).toBe(8);
      expect(bytesOf('file.mmap').length).toBe(0);
    });

    it('a key mapped without writable refuses VSET, VADD, VPOP and VCLEAR', async () => {
      fs.writeFileSync(fileOf('ro.mmap'), Buffer.concat(added.map((v) => padded(v, 8))));
      expect(await call('MMAP', 'ro', 'ro.mmap', 'string', '8')).toBe(6);
      expect(await call('VALL', 'ro')).toEqual(added);
      for (const command of [
        ['VSET', 'ro', '0', 'x'],
        ['VADD', 'ro', 'x'],
        ['VPOP', 'ro'],
        ['VCLEAR', 'ro'],
      ]) {
        expect(await errorOf(call(command[0]!, ...command.slice(1))), command.join(' ')).toBe(
          'ERR vector is read-only',
        );
      }
      expect(bytesOf('ro.mmap')).toEqual(Buffer.concat(added.map((v) => padded(v, 8))));
    });

    it('MMVEC.OPEN takes TYPE bytes8 and S8; any width from 1 to 65536', async () => {
      expect(await call('MMVEC.OPEN', 'b8', 'file.mmap', 'TYPE', 'bytes8', 'READONLY')).toBe(0);
      expect(await call('MMVEC.OPEN', 's8', 's8.bin', 'TYPE', 'S8')).toBe(0);
      expect(await call('VTYPE', 's8')).toBe('string');
      expect(await call('MMVEC.OPEN', 'one', 'one.bin', 'TYPE', 'bytes1')).toBe(0);
      expect(await call('VADD', 'one', 'x', '')).toBe(2);
      expect(await call('VALL', 'one')).toEqual(['x', '']);
      expect(await call('MMAP', 'wide', 'wide.bin', 'string', '65536', 'writable')).toBe(0);
      const big = Buffer.alloc(65536, 0x61);
      big[65535] = 0x62;
      expect(await call('VADD', 'wide', big, 'short')).toBe(2);
      expect(await buffers('VGET', 'wide', '0')).toEqual(big);
      expect(await call('VGET', 'wide', '1')).toBe('short');
      expect(bytesOf('wide.bin').length).toBe(2 * 65536);
      expect(await errorOf(call('VADD', 'wide', Buffer.alloc(65537, 0x61)))).toMatch(
        /^ERR value 'a{128}\.\.\.' is not valid for bytes65536: 65537 bytes is longer than 65536$/,
      );
    });

    it('bad widths and a missing size are refused with the reason', async () => {
      const width = (n: string) => `ERR bad dtype width ${n}: bytes<N> takes 1 to 65536 bytes`;
      expect(await errorOf(call('MMAP', 'w', 'w.bin', 'string', '0', 'writable'))).toBe(width('0'));
      expect(await errorOf(call('MMAP', 'w', 'w.bin', 'string', '65537'))).toBe(width('65537'));
      expect(await errorOf(call('MMAP', 'w', 'w.bin', 'string', '-8'))).toBe(
        'ERR value_size -8 is not a width of 1 to 65536 bytes',
      );
      expect(await errorOf(call('MMAP', 'w', 'w.bin', 'string', 'writable'))).toBe(
        "ERR dtype 'string' needs a value size (its width in bytes)",
      );
      expect(await errorOf(call('MMVEC.OPEN', 'w', 'w.bin', 'TYPE', 'bytes0'))).toBe(width('0'));
      expect(await errorOf(call('MMVEC.OPEN', 'w', 'w.bin', 'TYPE', 'S65537'))).toBe(width('65537'));
      expect(await errorOf(call('MMVEC.OPEN', 'w', 'w.bin', 'TYPE', 'string'))).toBe(
        "ERR unknown dtype 'string' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N>)",
      );
      fs.writeFileSync(fileOf('seven.bin'), Buffer.alloc(7));
      expect(await errorOf(call('MMAP', 'w', 'seven.bin', 'string', '2'))).toBe(
        `ERR size of ${path.join(fs.realpathSync(server.dir), 'seven.bin')} is 7 bytes, not a multiple of 2 (bytes2)`,
      );
      expect(await call('EXISTS', 'w')).toBe(0);
    });
  });

  describe('long_double (float80)', () => {
    it('adding 0 2 4 6 8 10 gives back 0 2 4 6 8 10 as text; the largest value round-trips', async () => {
      expect(await call('MMAP', 'ld', 'ld.mmap', 'long_double', 'writable')).toBe(0);
      expect(await call('VADD', 'ld', '0', '2', '4', '6', '8', '10')).toBe(6);
      expect(await call('VALL', 'ld')).toEqual(['0', '2', '4', '6', '8', '10']);
      expect(await call('VTYPE', 'ld')).toBe('long_double');
      expect(await call('VSIZE', 'ld')).toBe(16);
      expect(await call('VSET', 'ld', '0', '1.18973149535723176502e+4932')).toBe(1);
      const largest = (await call('VGET', 'ld', '0')) as string;
      expect(largest).toBe('1.189731495357231765e4932');
      // The reply, sent back, is the very same value: the same 16 bytes.
      const before = bytesOf('ld.mmap').subarray(0, 16);
      expect(await call('VSET', 'ld', '1', largest)).toBe(1);
      expect(bytesOf('ld.mmap').subarray(16, 32)).toEqual(before);
      expect(before).toEqual(Buffer.from('fffffffffffffffffe7f000000000000', 'hex'));
    });

    it('text is exact both ways: parsing rounds once into the 64-bit significand; bytes 10-15 are zero', async () => {
      expect(await call('MMVEC.OPEN', 'x', 'x.f80', 'TYPE', 'float80')).toBe(0);
      const texts = ['0.1', '-0', '18446744073709551615', '1e-4951', '3.6e-4951', 'inf', 'nan', '-1e4000'];
      expect(await call('VADD', 'x', ...texts)).toBe(texts.length);
      expect(await call('VALL', 'x')).toEqual([
        '0.1',
        '-0',
        '1.8446744073709551615e19',
        '0',
        '4e-4951',
        'inf',
        'nan',
        '-1e4000',
      ]);
      const file = bytesOf('x.f80');
      for (let i = 0; i < texts.length; i++) expect(file.subarray(i * 16 + 10, i * 16 + 16)).toEqual(Buffer.alloc(6));
      expect(file.subarray(0, 10)).toEqual(Buffer.from('cdccccccccccccccfb3f', 'hex'));
      expect(await call('MMVEC.INCRBY', 'x', '0', '0.2')).toBe('0.3');
      expect(await errorOf(call('VADD', 'x', '1.2e4932'))).toBe(
        "ERR value '1.2e4932' is not valid for float80: out of range",
      );
      expect(await errorOf(call('VADD', 'x', '0x10'))).toBe("ERR value '0x10' is not valid for float80: not a number");
      expect(await errorOf(call('MMVEC.INCRBY', 'x', '0', 'inf'))).toBe(
        "ERR value 'inf' is not valid for float80: not a finite increment",
      );
      expect(await call('VSET', 'x', '0', '1.18973149535723176502e+4932')).toBe(1);
      expect(await errorOf(call('MMVEC.INCRBY', 'x', '0', '1e4932'))).toBe(
        "ERR value 'inf' is not valid for float80: increment would not be finite",
      );
      for (const alias of ['longdouble', 'float128', 'LONG_DOUBLE']) {
        expect(await call('MMVEC.OPEN', `x:${alias}`, 'x.f80', 'TYPE', alias, 'READONLY')).toBe(texts.length);
      }
    });
  });

  describe('float16 and bfloat16', () => {
    it('parse rounds to nearest-even; a finite text that overflows is an error; inf and nan are accepted', async () => {
      expect(await call('MMVEC.OPEN', 'h', 'h.f16', 'TYPE', 'float16')).toBe(0);
      expect(await call('VADD', 'h', '1.00048828125', '1.000488281250000000001', '65519', 'inf', 'nan', '6e-8')).toBe(
        6,
      );
      expect(await call('VALL', 'h')).toEqual(['1', '1.001', '65500', 'inf', 'nan', '6e-8']);
      expect(bytesOf('h.f16').subarray(0, 6)).toEqual(Buffer.from('003c013cff7b', 'hex'));
      expect(await errorOf(call('VADD', 'h', '65520'))).toBe(
        "ERR value '65520' is not valid for float16: out of range",
      );
      expect(await errorOf(call('VADD', 'h', '1', 'x'))).toBe("ERR value 'x' is not valid for float16: not a number");
      expect(await call('VCOUNT', 'h')).toBe(6);
      expect(await call('MMVEC.INCRBY', 'h', '0', '0.5')).toBe('1.5');
      expect(await errorOf(call('MMVEC.INCRBY', 'h', '2', '100'))).toBe(
        "ERR value '65604' is not valid for float16: out of range",
      );
      expect(await call('VTYPE', 'h')).toBe('float16');
      expect(await call('VSIZE', 'h')).toBe(2);

      expect(await call('MMVEC.OPEN', 'b', 'b.bf16', 'TYPE', 'bfloat16')).toBe(0);
      expect(await call('VADD', 'b', '0.1', '3.38e38', '-inf', '1e-40')).toBe(4);
      expect(await call('VALL', 'b')).toEqual(['0.1', '3.38e38', '-inf', '9e-41']);
      expect(await errorOf(call('VADD', 'b', '3.4e38'))).toBe(
        "ERR value '3.4e38' is not valid for bfloat16: out of range",
      );
      expect(await call('VTYPE', 'b')).toBe('bfloat16');
    });
  });

  it('every new dtype survives DEBUG RELOAD with its bytes and its replies', async () => {
    const keys = ['ld', 'x', 'h', 'b', 'one', 'wide', 's8'];
    const before = await Promise.all(
      keys.map(async (k) => [await call('MMVEC.INFO', k), await buffers('MMVEC.GETBLOB', k, '0', '1000')]),
    );
    const values = await Promise.all(keys.map((k) => buffers('VALL', k)));
    expect(await call('DEBUG', 'RELOAD')).toBe('OK');
    const after = await Promise.all(
      keys.map(async (k) => [await call('MMVEC.INFO', k), await buffers('MMVEC.GETBLOB', k, '0', '1000')]),
    );
    expect(after).toEqual(before);
    expect(await Promise.all(keys.map((k) => buffers('VALL', k)))).toEqual(values);
  });
});
