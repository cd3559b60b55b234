/**
 * DUMP/RESTORE, MIGRATE and COPY of vector keys between two real redis-servers with
 * separate --dir. With `mmvec.snapshot data` the payload carries the elements (1 MiB
 * chunks + CRC-32), and RESTORE writes the file under the receiving node's DIR through a
 * temporary file; with `path` it carries the binding only.
 *
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, errorOf, startServer } from '../helpers/redis';
import {
  DTYPES,
  Model,
  blobOf,
  exactClients,
  fileOf,
  infoOf,
  noise,
  restoreTemps,
  valuesOf,
  withValidFooter,
  writeEverything,
} from './support';

let a: TestServer;
let b: TestServer;
const clients: Redis[] = [];

beforeAll(async () => {
  a = await startServer({ args: ['--mmvec.snapshot', 'data'] });
  b = await startServer({ args: ['--mmvec.snapshot', 'data'] });
});

afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  for (const server of [a, b]) {
    if (!server) continue;
    await server.stop('nosave');
    fs.rmSync(server.dir, { recursive: true, force: true });
  }
});

const exact = exactClients(clients);

const dump = async (server: TestServer, key: string) => (await server.redis.callBuffer('DUMP', key)) as Buffer;
const real = (server: TestServer, file: string) => path.join(fs.realpathSync(server.dir), file);
const ls = (server: TestServer) =>
  fs
    .readdirSync(server.dir)
    .filter((f) => f !== 'redis.log')
    .sort();

interface Bound {
  key: string;
  file: string;
  model: Model;
}

async function expectReproduced(from: TestServer, to: TestServer, { key, file, model }: Bound): Promise<void> {
  expect(
    fileOf(to, file).equals(model.bytes),
    `${key}: ${file} on the receiving node is the original, byte for byte`,
  ).toBe(true);
  expect((await blobOf(exact(to), key)).equals(model.bytes), `${key}: GETBLOB`).toBe(true);
  expect(await valuesOf(exact(to), key), `${key}: MMVEC.RANGE`).toEqual(await valuesOf(exact(from), key));
  const info = await infoOf(to.redis, key);
  expect(info.backing, key).toBe('mapped');
  expect(info.file, key).toBe(real(to, file));
}

describe('mmvec.snapshot data', () => {
  it("DUMP on A and RESTORE on B reproduce every vector: same values, same file bytes, under B's DIR", async () => {
    const keys: Bound[] = [];
    for (const [n, dtype] of DTYPES.entries()) {
      const bound = { key: `d:${dtype}`, file: `d.${dtype}`, model: new Model(dtype) };
      await writeEverything(a.redis, bound.key, bound.file, bound.model, { seed: 31 + n });
      keys.push(bound);
    }
    // Four 1 MiB chunks and a partial one; an empty vector; a read-only key.
    const big = { key: 'd:big', file: 'big.u16', model: new Model('uint16') };
    expect(await a.redis.call('MMVEC.OPEN', big.key, big.file, 'TYPE', 'u16')).toBe(0);
    big.model.addBlob(noise(2 * 2_200_001, 5));
    expect(await a.redis.call('MMVEC.ADDBLOB', big.key, big.model.bytes)).toBe(2_200_001);
    const empty = { key: 'd:empty', file: 'empty.i8', model: new Model('int8') };
    expect(await a.redis.call('MMVEC.OPEN', empty.key, empty.file, 'TYPE', 'i8')).toBe(0);
    const ro = { key: 'd:ro', file: 'ro.f32', model: new Model('float32') };
    ro.model.add(['0.5', '-0.25', '1e-30']);
    fs.writeFileSync(path.join(a.dir, ro.file), ro.model.bytes);
    expect(await a.redis.call('MMVEC.OPEN', ro.key, ro.file, 'TYPE', 'f32', 'READONLY')).toBe(3);
    keys.push(big, empty, ro);

    for (const bound of keys) {
      expect(await b.redis.call('RESTORE', bound.key, '0', await dump(a, bound.key)), bound.key).toBe('OK');
      await expectReproduced(a, b, bound);
    }
    expect(restoreTemps(b.dir)).toEqual([]);
    expect((await infoOf(b.redis, ro.key)).mode).toBe('read-only');
    expect(await errorOf(b.redis.call('MMVEC.ADD', ro.key, '1'))).toBe('ERR vector is read-only');

    // The restored keys are B's own writers: B can go on writing them.
    for (const bound of keys.filter((k) => k !== ro)) {
      expect(await b.redis.call('MMVEC.ADD', bound.key, '9'), bound.key).toBe(1);
      bound.model.add(['9']);
      expect(fileOf(b, bound.file).equals(bound.model.bytes), bound.key).toBe(true);
      expect(await b.redis.call('MMVEC.RANGE', bound.key, '-1', '-1'), bound.key).toEqual([
        bound.model.dtype.startsWith('float') ? '9' : 9,
      ]);
    }
    // A's files are untouched by all this.
    expect(fileOf(a, big.file).length).toBe(2 * 2_200_001);
  });

  describe('a corrupted payload is refused: no key, no file, no temporary file', () => {
    let payload: Buffer;
    let data: Buffer;
    beforeAll(async () => {
      data = noise(8 * 1000, 99); // noise: RDB's LZF leaves it as it is, so it can be found
      expect(await a.redis.call('MMVEC.OPEN', 'c', 'c.f64')).toBe(0);
      expect(await a.redis.call('MMVEC.ADDBLOB', 'c', data)).toBe(1000);
      payload = await dump(a, 'c');
    });

    async function expectNothingOnB(): Promise<void> {
      expect(await b.redis.exists('c')).toBe(0);
      expect(fs.existsSync(path.join(b.dir, 'c.f64'))).toBe(false);
      expect(restoreTemps(b.dir)).toEqual([]);
    }

    it('a flipped element byte (valid Redis footer): the CRC-32 catches it', async () => {
      const body = Buffer.from(payload.subarray(0, payload.length - 10));
      const at = body.indexOf(data.subarray(4000, 4064));
      expect(at, 'the elements travel uncompressed in the payload').toBeGreaterThan(0);
      body[at + 10] = body[at + 10]! ^ 0x01;
      expect(await errorOf(b.redis.call('RESTORE', 'c', '0', withValidFooter(payload, body)))).toBe(
        'ERR Bad data format',
      );
      await expectNothingOnB();
      expect(b.log()).toContain('mmvec: corrupt snapshot: checksum mismatch');
    });

    it('a count larger than the elements carried (valid Redis footer)', async () => {
      const body = Buffer.from(payload.subarray(0, payload.length - 10));
      // path, dtype, then the read-only flag (opcode 2, value 0) and the count (opcode 2,
      // 1000 as RDB's 14-bit length 0x43 0xe8).
      const at = body.indexOf(Buffer.from('float64')) + 'float64'.length;
      expect([...body.subarray(at, at + 5)]).toEqual([0x02, 0x00, 0x02, 0x43, 0xe8]);
      body[at + 4] = 0xe9;
      expect(await errorOf(b.redis.call('RESTORE', 'c', '0', withValidFooter(payload, body)))).toBe(
        'ERR Bad data format',
      );
      await expectNothingOnB();
      expect(b.log()).toContain('mmvec: corrupt snapshot: less data than the count says');
    });

    it('a payload whose Redis CRC-64 is wrong never reaches the module', async () => {
      const broken = Buffer.from(payload);
      broken[20] = broken[20]! ^ 0xff;
      expect(await errorOf(b.redis.call('RESTORE', 'c', '0', broken))).toBe(
        'ERR DUMP payload version or checksum are wrong',
      );
      await expectNothingOnB();
    });

    it('the intact payload still restores', async () => {
      expect(await b.redis.call('RESTORE', 'c', '0', payload)).toBe('OK');
      expect(fileOf(b, 'c.f64').equals(data)).toBe(true);
    });
  });

  it('MIGRATE moves the key: B maps an identical file, A loses the key but keeps its file', async () => {
    const mig = { key: 'mig', file: 'mig.i32', model: new Model('int32') };
    await writeEverything(a.redis, mig.key, mig.file, mig.model, { seed: 4242 });
    const before = await valuesOf(exact(a), mig.key);
    expect(await a.redis.call('MIGRATE', '127.0.0.1', String(b.port), mig.key, '0', '5000')).toBe('OK');
    expect(await a.redis.exists(mig.key)).toBe(0);
    expect(fileOf(a, mig.file).equals(mig.model.bytes), "A's file stays (DEL leaves files)").toBe(true);
    expect(fileOf(b, mig.file).equals(mig.model.bytes)).toBe(true);
    expect(await valuesOf(exact(b), mig.key)).toEqual(before);
    expect((await infoOf(b.redis, mig.key)).file).toBe(real(b, mig.file));
    expect(await b.redis.call('MMVEC.ADD', mig.key, '-5')).toBe(1);
    expect(await b.redis.call('MMVEC.RANGE', mig.key, '-1', '-1')).toEqual([-5]);
    // A released the file: it can bind it again.
    expect(await a.redis.call('MMVEC.OPEN', 'again', mig.file, 'TYPE', 'int32')).toBe(mig.model.count);
  });

  // Finding: a key bound by an absolute path (inside A's DIR, as the docs allow) travels
  // with that path; on B it is outside B's DIR, so the restored key is unusable ("backing
  // file unusable: <path> could not be restored") while MIGRATE answers OK and deletes the
  // key on A. The elements are then readable on neither node (they remain only in A's
  // file). A cluster reshard does the same to such keys.
  it("MIGRATE of a key bound by an absolute path inside A's DIR reproduces it on B", async () => {
    const file = real(a, 'absolute.f64');
    expect(await a.redis.call('MMVEC.OPEN', 'absolute', file)).toBe(0);
    expect(await a.redis.call('MMVEC.ADD', 'absolute', '1.5', '2.5')).toBe(2);
    expect(await a.redis.call('MIGRATE', '127.0.0.1', String(b.port), 'absolute', '0', '5000')).toBe('OK');
    expect(await a.redis.exists('absolute')).toBe(0);
    expect(await b.redis.call('MMVEC.RANGE', 'absolute', '0', '-1')).toEqual(['1.5', '2.5']);
  });

  // Finding: restoring a READONLY key and then a read-write key bound to the same file
  // (in that order) leaves the READONLY key mapping the file the first restore wrote; the
  // second restore renames a new file over the path. On A both keys share one file and the
  // READONLY key sees the writer's in-place writes; on B it keeps reading the old inode.
  it("RESTORE of a READONLY key, then of a read-write key on the same file: on B too the READONLY key sees the writer's writes", async () => {
    expect(await a.redis.call('MMVEC.OPEN', 'pair:rw', 'pair.i32', 'TYPE', 'int32')).toBe(0);
    expect(await a.redis.call('MMVEC.ADD', 'pair:rw', '1', '2', '3')).toBe(3);
    expect(await a.redis.call('MMVEC.OPEN', 'pair:ro', 'pair.i32', 'TYPE', 'int32', 'READONLY')).toBe(3);
    expect(await b.redis.call('RESTORE', 'pair:ro', '0', await dump(a, 'pair:ro'))).toBe('OK');
    expect(await b.redis.call('RESTORE', 'pair:rw', '0', await dump(a, 'pair:rw'))).toBe('OK');
    for (const server of [a, b]) expect(await server.redis.call('MMVEC.SET', 'pair:rw', '0', '42')).toBe(1);
    expect(await a.redis.call('MMVEC.GET', 'pair:ro', '0')).toBe(42);
    expect(await b.redis.call('MMVEC.GET', 'pair:ro', '0')).toBe(42);
  });

  it('COPY answers an error and changes nothing', async () => {
    expect(await a.redis.call('MMVEC.OPEN', 'cp', 'cp.f64')).toBe(0);
    expect(await a.redis.call('MMVEC.ADD', 'cp', '1.5', '2.5')).toBe(2);
    const files = ls(a);
    const bytes = fileOf(a, 'cp.f64');
    expect(await errorOf(a.redis.call('COPY', 'cp', 'cp2'))).toBe('ERR not supported for this module key');
    expect(await errorOf(a.redis.call('COPY', 'cp', 'cp2', 'DB', '1', 'REPLACE'))).toBe(
      'ERR not supported for this module key',
    );
    expect(await a.redis.exists('cp2')).toBe(0);
    expect(ls(a)).toEqual(files);
    expect(fileOf(a, 'cp.f64').equals(bytes)).toBe(true);
    expect(await a.redis.call('MMVEC.RANGE', 'cp', '0', '-1')).toEqual(['1.5', '2.5']);
    expect(await a.redis.call('MMVEC.ADD', 'cp', '3')).toBe(1);
  });

  it("RESTORE under a new key on the same server while the original holds the file: the new key answers 'locked by another writer', the file is untouched", async () => {
    expect(await a.redis.call('MMVEC.OPEN', 'held', 'held.f64')).toBe(0);
    expect(await a.redis.call('MMVEC.ADD', 'held', '1', '2', '3')).toBe(3);
    const payload = await dump(a, 'held');
    expect(await a.redis.call('MMVEC.ADD', 'held', '4')).toBe(1);
    expect(await a.redis.call('RESTORE', 'held2', '0', payload)).toBe('OK');
    const locked = `ERR backing file unusable: ${real(a, 'held.f64')} is locked by another writer`;
    expect(await errorOf(a.redis.call('MMVEC.COUNT', 'held2'))).toBe(locked);
    expect(await errorOf(a.redis.call('MMVEC.ADD', 'held2', '1'))).toBe(locked);
    expect(await a.redis.call('MMVEC.RANGE', 'held', '0', '-1')).toEqual(['1', '2', '3', '4']);
    expect(restoreTemps(a.dir)).toEqual([]);
  });
});

describe('mmvec.snapshot path', () => {
  beforeAll(async () => {
    for (const server of [a, b]) expect(await server.redis.call('CONFIG', 'SET', 'mmvec.snapshot', 'path')).toBe('OK');
    expect(await a.redis.call('MMVEC.OPEN', 'pk', 'pk.f64')).toBe(0);
    expect(await a.redis.call('MMVEC.ADD', 'pk', '0.5', '1.5')).toBe(2);
  });

  it("RESTORE on B of a path-mode DUMP binds the key, which answers 'backing file missing' (B has no file)", async () => {
    expect(await b.redis.call('RESTORE', 'pk', '0', await dump(a, 'pk'))).toBe('OK');
    expect(await b.redis.exists('pk')).toBe(1);
    expect(await errorOf(b.redis.call('MMVEC.COUNT', 'pk'))).toBe('ERR backing file missing: pk.f64');
    expect(await errorOf(b.redis.call('MMVEC.ADD', 'pk', '1'))).toBe('ERR backing file missing: pk.f64');
    expect((await infoOf(b.redis, 'pk')).backing).toBe('backing file missing: pk.f64');
    expect(fs.existsSync(path.join(b.dir, 'pk.f64'))).toBe(false);
  });

  it("RESTORE on the same server under a new key while the original holds the file read-write: the new key answers 'locked by another writer'", async () => {
    expect(await a.redis.call('RESTORE', 'pk2', '0', await dump(a, 'pk'))).toBe('OK');
    const locked = `ERR backing file unusable: ${real(a, 'pk.f64')} is locked by another writer`;
    expect(await errorOf(a.redis.call('MMVEC.GET', 'pk2', '0'))).toBe(locked);
    expect((await infoOf(a.redis, 'pk2')).backing).toBe(locked.slice('ERR '.length));
    expect(await a.redis.call('MMVEC.RANGE', 'pk', '0', '-1')).toEqual(['0.5', '1.5']);
    // Once the original lets go, a re-open maps the file for the restored key.
    expect(await a.redis.del('pk')).toBe(1);
    expect(await a.redis.call('MMVEC.OPEN', 'pk2', 'pk.f64')).toBe(2);
    expect(await a.redis.call('MMVEC.RANGE', 'pk2', '0', '-1')).toEqual(['0.5', '1.5']);
  });
});
