/**
 * `.npy` files served in place: what Redis and the addon write, numpy reads with
 * `np.load(path, mmap_mode='r')`, after appends and pops too; what `np.save` writes, Redis
 * serves with the header's dtype; bad headers are refused with the reason; the format
 * survives reloads, the AOF and a data snapshot.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmapVector, MmvecClient } from '../..';
import { caughtUp, linkUp, noForkChild, withValidFooter } from '../distributed/support';
import { pythonWith, runPython } from '../helpers/python';
import { type TestServer, errorOf, startServer, testedServer } from '../helpers/redis';

const python = pythonWith();

describe.runIf(python)(`.npy files through Redis and numpy on ${testedServer().label}`, () => {
  let server: TestServer;
  let realDir: string;

  beforeAll(async () => {
    server = await startServer({ args: ['--appendonly', 'yes'] });
    realDir = fs.realpathSync(server.dir);
  });
  afterAll(async () => {
    await server.stop('nosave');
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  const call = (...args: string[]) => server.redis.call(args[0]!, ...args.slice(1));
  /** numpy's view of `file` (under the server's dir): its dtype, shape and values. */
  const load = (file: string): string =>
    runPython(
      python!,
      `import numpy as np\na = np.load(${JSON.stringify(file)}, mmap_mode='r')\nprint(a.dtype, a.shape, a.tolist())`,
      server.dir,
    ).trim();
  const numpy = (code: string) => runPython(python!, `import numpy as np\n${code}`, server.dir);

  it('a vector Redis creates is a .npy file numpy maps, after appends and pops', async () => {
    expect(await call('MMVEC.OPEN', 'v', 'v.npy', 'TYPE', 'int32')).toBe(0);
    expect(load('v.npy')).toBe('int32 (0,) []');
    expect(await call('VADD', 'v', '1', '-2', '3')).toBe(3);
    expect(load('v.npy')).toBe('int32 (3,) [1, -2, 3]');
    expect(await call('VPOP', 'v')).toBe(3);
    expect(await call('MMVEC.SET', 'v', '0', '7')).toBe(1);
    expect(load('v.npy')).toBe('int32 (2,) [7, -2]');
    expect(await call('MMVEC.INFO', 'v')).toEqual([
      'path',
      'v.npy',
      'file',
      path.join(realDir, 'v.npy'),
      'dtype',
      'int32',
      'itemsize',
      4,
      'count',
      2,
      'bytes',
      8,
      'mode',
      'read-write',
      'backing',
      'mapped',
      'format',
      'npy',
    ]);
    expect(await call('VCLEAR', 'v')).toBe(2);
    expect(load('v.npy')).toBe('int32 (0,) []');
  });

  it('np.save output is served with the dtype of its header; a TYPE that disagrees is an error', async () => {
    numpy("np.save('saved.npy', np.array([1.5, -2.25, 1e300]))\nnp.save('small.npy', np.arange(5, dtype=np.uint16))");
    expect(await call('MMVEC.OPEN', 's', 'saved.npy')).toBe(3);
    expect(await call('VTYPE', 's')).toBe('double');
    expect(await call('MMVEC.RANGE', 's', '0', '-1')).toEqual(['1.5', '-2.25', '1e300']);
    expect(await call('MMVEC.OPEN', 'u', 'small.npy', 'READONLY')).toBe(5);
    expect(await call('VTYPE', 'u')).toBe('uint16');
    expect(await call('MMVEC.RANGE', 'u', '0', '-1')).toEqual([0, 1, 2, 3, 4]);
    expect(await call('MMVEC.OPEN', 'u', 'small.npy', 'TYPE', 'uint16')).toBe(5);
    expect(await errorOf(call('MMVEC.OPEN', 'u', 'small.npy', 'TYPE', 'int16'))).toBe(
      'ERR key is already mapped as uint16',
    );
    expect(await errorOf(call('MMVEC.OPEN', 'u2', 'small.npy', 'TYPE', 'int16'))).toBe(
      `ERR ${path.join(realDir, 'small.npy')} holds uint16 (its .npy header says so), not int16`,
    );
    expect(await call('VADD', 's', '4')).toBe(1);
    expect(load('saved.npy')).toBe('float64 (4,) [1.5, -2.25, 1e+300, 4.0]');
  });

  it("MmvecClient opens a .npy file with its header's dtype, or with a format given", async () => {
    numpy("np.save('client.npy', np.array([3, 4], dtype='<i8'))");
    const client = new MmvecClient(server.redis);
    expect(await client.open('c', 'client.npy')).toBe(2);
    expect(await client.info('c')).toMatchObject({ dtype: 'int64', count: 2, bytes: 16, format: 'npy' });
    expect(await client.open('c', 'client.npy', { dtype: 'int64', format: 'npy' })).toBe(2);
    expect(await client.open('cb', 'client-as-npy.bin', { dtype: 'int8', format: 'npy' })).toBe(0);
    expect((await client.info('cb'))?.format).toBe('npy');
    expect((await client.info('s'))?.format).toBe('npy');
  });

  it('FORMAT overrides the extension, and is checked on a reopen', async () => {
    expect(await call('MMVEC.OPEN', 'fb', 'as-npy.bin', 'FORMAT', 'npy', 'TYPE', 'uint8')).toBe(0);
    expect(await call('VADD', 'fb', '200')).toBe(1);
    expect(load('as-npy.bin')).toBe('uint8 (1,) [200]');
    expect(await call('MMVEC.OPEN', 'fr', 'raw.npy', 'FORMAT', 'raw', 'TYPE', 'uint8')).toBe(0);
    expect(await call('VADD', 'fr', '9')).toBe(1);
    expect(fs.readFileSync(path.join(server.dir, 'raw.npy'))).toEqual(Buffer.from([9]));
    expect((await call('MMVEC.INFO', 'fr')) as unknown[]).toContain('raw');
    expect(await errorOf(call('MMVEC.OPEN', 'fr', 'raw.npy', 'FORMAT', 'npy'))).toBe(
      'ERR key is already mapped as a raw file',
    );
    expect(await errorOf(call('MMVEC.OPEN', 'fz', 'z.bin', 'FORMAT', 'zip'))).toBe(
      "ERR unknown format 'zip' (expected raw or npy)",
    );
    expect(await errorOf(call('MMVEC.OPEN', 'fz', 'z.bin', 'FORMAT'))).toBe('ERR syntax error');
    expect(await errorOf(call('MMVEC.OPEN', 'fz', 'z.bin', 'FORMAT', 'npy', 'FORMAT', 'npy'))).toBe('ERR syntax error');
  });

  it('the addon and Redis share one .npy file that numpy reads', async () => {
    const file = path.join(server.dir, 'shared.npy');
    const vector = MmapVector.open(file, { dtype: 'float32', mode: 'a' });
    expect([vector.format, vector.dataOffset]).toEqual(['npy', 128]);
    vector.push(0.5);
    vector.push(2);
    vector.close();
    expect(await call('MMVEC.OPEN', 'sh', 'shared.npy')).toBe(2);
    expect(await call('VTYPE', 'sh')).toBe('float');
    expect(await call('VADD', 'sh', '-1')).toBe(1);
    const reader = MmapVector.open(file, { mode: 'r' });
    expect([reader.dtype, [...reader]]).toEqual(['float32', [0.5, 2, -1]]);
    reader.close();
    expect(load('shared.npy')).toBe('float32 (3,) [0.5, 2.0, -1.0]');
  });

  it('2-D, Fortran-order, unknown descr, truncated header and lying shape are refused with the reason', async () => {
    numpy(
      [
        "np.save('2d.npy', np.zeros((2, 3)))",
        "np.save('fortran.npy', np.asfortranarray(np.zeros((2, 3))))",
        "np.save('complex.npy', np.zeros(3, dtype=np.complex128))",
        "np.save('big.npy', np.zeros(3, dtype='>f8'))",
        "np.save('lying.npy', np.arange(10.0))",
        "np.save('cut.npy', np.arange(10.0))",
      ].join('\n'),
    );
    const lying = path.join(server.dir, 'lying.npy');
    fs.truncateSync(lying, 128 + 24);
    fs.truncateSync(path.join(server.dir, 'cut.npy'), 50);
    const at = (file: string) => path.join(realDir, file);
    const cases: [string, string][] = [
      [
        '2d.npy',
        `ERR ${at('2d.npy')} holds an array mmvec does not serve: shape (2, 3) is not 1-D: only 1-D arrays are supported`,
      ],
      [
        'fortran.npy',
        `ERR ${at('fortran.npy')} holds an array mmvec does not serve: fortran_order is True: only C-order arrays are supported`,
      ],
      [
        'complex.npy',
        `ERR ${at('complex.npy')} holds an array mmvec does not serve: unknown descr '<c16' (expected one of |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8, <f2, <f16, |S<N>)`,
      ],
      [
        'big.npy',
        `ERR ${at('big.npy')} holds an array mmvec does not serve: descr '>f8' is big-endian: only little-endian data is supported`,
      ],
      ['lying.npy', `ERR ${at('lying.npy')} says it holds 10 elements (80 bytes) but has 24 bytes of data`],
      ['cut.npy', `ERR ${at('cut.npy')} is not a .npy file mmvec can open: the file ends inside the header`],
    ];
    for (const [file, error] of cases) {
      expect(await errorOf(call('MMVEC.OPEN', 'bad', file)), file).toBe(error);
      expect(await errorOf(call('MMVEC.OPEN', 'bad', file, 'READONLY')), file).toBe(error);
    }
    expect(await call('EXISTS', 'bad')).toBe(0);
    expect(fs.statSync(lying).size).toBe(128 + 24);
  });

  it('the format survives DEBUG RELOAD and the AOF, whose MMVEC.BIND carries it', async () => {
    expect(await call('MMVEC.OPEN', 'p', 'p.npy', 'TYPE', 'int16')).toBe(0);
    expect(await call('VADD', 'p', '5', '6')).toBe(2);
    expect(await call('DEBUG', 'RELOAD')).toBe('OK');
    expect(((await call('MMVEC.INFO', 'p')) as unknown[]).slice(-2)).toEqual(['format', 'npy']);
    expect(((await call('MMVEC.INFO', 'fr')) as unknown[]).slice(-2)).toEqual(['format', 'raw']);
    expect(await call('BGREWRITEAOF')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(((await call('MMVEC.INFO', 'p')) as unknown[]).slice(-2)).toEqual(['format', 'npy']);
    expect(await call('MMVEC.RANGE', 'p', '0', '-1')).toEqual([5, 6]);
    expect(load('p.npy')).toBe('int16 (2,) [5, 6]');
  });

  it('with mmvec.snapshot data, a restore writes the header too', async () => {
    expect(await call('CONFIG', 'SET', 'mmvec.snapshot', 'data')).toBe('OK');
    expect(await call('MMVEC.OPEN', 'd', 'd.npy', 'TYPE', 'uint32')).toBe(0);
    expect(await call('VADD', 'd', '10', '20', '30')).toBe(3);
    const dump = (await server.redis.dumpBuffer('d')) as Buffer;
    expect(await call('DEL', 'd')).toBe(1);
    fs.rmSync(path.join(server.dir, 'd.npy'));
    expect(await server.redis.restore('d', 0, dump)).toBe('OK');
    expect(((await call('MMVEC.INFO', 'd')) as unknown[]).slice(-4)).toEqual(['backing', 'mapped', 'format', 'npy']);
    expect(load('d.npy')).toBe('uint32 (3,) [10, 20, 30]');
    expect(await call('CONFIG', 'SET', 'mmvec.snapshot', 'path')).toBe('OK');
  });

  it('a version 1 payload (before formats) loads as a raw file, whatever the extension', async () => {
    expect(await call('MMVEC.OPEN', 'old', 'old.npy', 'FORMAT', 'raw', 'TYPE', 'uint8')).toBe(0);
    expect(await call('VADD', 'old', '5')).toBe(1);
    const payload = (await server.redis.dumpBuffer('old')) as Buffer;
    const body = Buffer.from(payload.subarray(0, payload.length - 10));
    // The module type id (opcode 0x81, 8 bytes) ends in the encoding version, 2; after the
    // count (opcode 2, value 1) comes the format (opcode 5, length 3, 'raw').
    expect([body[1], body[9]]).toEqual([0x81, 2]);
    const at = body.indexOf(Buffer.from([0x02, 0x01, 0x05, 0x03, ...Buffer.from('raw')]));
    expect(at).toBeGreaterThan(0);
    const v1 = Buffer.concat([body.subarray(0, at + 2), body.subarray(at + 7)]);
    v1[9] = 1;
    expect(await call('DEL', 'old')).toBe(1);
    expect(await server.redis.restore('old', 0, withValidFooter(payload, v1))).toBe('OK');
    expect(((await call('MMVEC.INFO', 'old')) as unknown[]).slice(-4)).toEqual(['backing', 'mapped', 'format', 'raw']);
    expect(await call('MMVEC.RANGE', 'old', '0', '-1')).toEqual([5]);
  });

  it("an MMVEC.BIND without a format (an older server's AOF) binds a raw file", async () => {
    const dir = fs.mkdtempSync(path.join(server.dir, 'aof-'));
    let old = await startServer({ dir, args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'] });
    try {
      expect(await old.redis.call('MMVEC.OPEN', 'k', 'k.npy', 'FORMAT', 'raw', 'TYPE', 'uint8')).toBe(0);
      expect(await old.redis.call('VADD', 'k', '3', '4')).toBe(2);
      await old.stop('nosave');
      const aofDir = path.join(dir, 'appendonlydir');
      const incr = fs.readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!;
      const aof = fs.readFileSync(path.join(aofDir, incr), 'latin1');
      const withFormat =
        '*8\r\n$10\r\nMMVEC.BIND\r\n$1\r\nk\r\n$5\r\nk.npy\r\n$5\r\nuint8\r\n$1\r\n0\r\n$1\r\n0\r\n$1\r\n1\r\n$3\r\nraw\r\n';
      expect(aof).toContain(withFormat);
      const withoutFormat = withFormat.replace('*8', '*7').replace('$3\r\nraw\r\n', '');
      fs.writeFileSync(path.join(aofDir, incr), aof.replace(withFormat, withoutFormat), 'latin1');
      old = await startServer({ dir, port: old.port, args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'] });
      expect(((await old.redis.call('MMVEC.INFO', 'k')) as unknown[]).slice(-4)).toEqual([
        'backing',
        'mapped',
        'format',
        'raw',
      ]);
      expect(await old.redis.call('MMVEC.RANGE', 'k', '0', '-1')).toEqual([3, 4]);
    } finally {
      await old.stop('nosave');
    }
  });

  it('a replica binds the same .npy file: created with its header, kept in step, read by numpy', async () => {
    const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(server.port)] });
    try {
      await linkUp(replica);
      // The full sync's fork child may outlive the link's coming up; while it lives the
      // primary defers the VPOP's shrink, and its file would still hold the popped element.
      await noForkChild(server);
      expect(await call('MMVEC.OPEN', 'rep', 'rep.npy', 'TYPE', 'int64')).toBe(0);
      expect(await call('VADD', 'rep', '1', '2', '3')).toBe(3);
      expect(await call('VPOP', 'rep')).toBe(3);
      expect(await call('MMVEC.SET', 'rep', '0', '-9')).toBe(1);
      await caughtUp(server, replica);
      expect(((await replica.redis.call('MMVEC.INFO', 'rep')) as unknown[]).slice(-4)).toEqual([
        'backing',
        'mapped',
        'format',
        'npy',
      ]);
      const replicaLoad = runPython(
        python!,
        "import numpy as np\na = np.load('rep.npy', mmap_mode='r')\nprint(a.dtype, a.shape, a.tolist())",
        replica.dir,
      ).trim();
      expect(replicaLoad).toBe('int64 (2,) [-9, 2]');
      expect(fs.readFileSync(path.join(replica.dir, 'rep.npy'))).toEqual(
        fs.readFileSync(path.join(server.dir, 'rep.npy')),
      );
    } finally {
      await replica.stop('nosave');
      fs.rmSync(replica.dir, { recursive: true, force: true });
    }
  });
});
