/**
 * The wider dtypes (float16, bfloat16, float80, bytes<N>) across real redis-servers: the
 * replication effects of every write command rebuild them byte for byte on an in-sync
 * replica; with `mmvec.snapshot data` a late replica's full sync and DUMP/RESTORE carry
 * their elements (a bytes65536 vector in chunks that keep whole elements); the AOF, with
 * and without its RDB preamble, reloads them exactly.
 */

import * as fs from 'node:fs';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerOptions, type TestServer, startServer, testedServer } from '../helpers/redis';
import { blobOf, caughtUp, exactClients, fileOf, linkUp, noForkChild, noise, restoreTemps, valuesOf } from './support';

const started: TestServer[] = [];
const clients: Redis[] = [];
const exact = exactClients(clients);

async function start(options: ServerOptions = {}): Promise<TestServer> {
  const server = await startServer(options);
  started.push(server);
  return server;
}

afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  for (const server of started) await server.stop('nosave');
  for (const dir of new Set(started.map((s) => s.dir))) fs.rmSync(dir, { recursive: true, force: true });
});

interface Wide {
  key: string;
  file: string;
  /** The open command after key and file. */
  open: string[];
  itemsize: number;
  /** Values to add and to set, as text. */
  values: string[];
  /** An increment, for the float types. */
  delta?: string;
}

const WIDE: Wide[] = [
  { key: 'w:f16', file: 'w.f16', open: ['TYPE', 'float16'], itemsize: 2, values: ['0.1', '-2.5', '3'], delta: '0.5' },
  { key: 'w:bf16', file: 'w.bf16', open: ['TYPE', 'bf16'], itemsize: 2, values: ['0.1', '1e38', '-0'], delta: '2' },
  {
    key: 'w:f80',
    file: 'w.f80',
    open: ['TYPE', 'long_double'],
    itemsize: 16,
    values: ['0.1', '1.18973149535723176502e+4932', '-1e-4000'],
    delta: '0.2',
  },
  { key: 'w:s8', file: 'w.s8', open: ['TYPE', 'S8'], itemsize: 8, values: ['ab', '', 'abcd e f'] },
  { key: 'w:s3', file: 'w.s3', open: ['TYPE', 'bytes3'], itemsize: 3, values: ['x', 'xyz', 'zz'] },
];

/** Every write command on `w`: ADD, SET of several pairs, INCRBY, POP, ADDBLOB, SETBLOB, CLEAR, MULTI. */
async function writeEvery(redis: Redis, w: Wide, seed: number): Promise<void> {
  expect(await redis.call('MMVEC.ADD', w.key, ...w.values, ...w.values)).toBe(2 * w.values.length);
  expect(await redis.call('MMVEC.SET', w.key, '0', w.values[2]!, '4', w.values[0]!)).toBe(2);
  if (w.delta) await redis.call('MMVEC.INCRBY', w.key, '0', w.delta);
  await redis.call('MMVEC.POP', w.key);
  // Raw blobs of a float type may hold any bit pattern, NaNs included.
  expect(await redis.call('MMVEC.ADDBLOB', w.key, noise(7 * w.itemsize, seed))).toBe(7);
  expect(await redis.call('MMVEC.SETBLOB', w.key, '10', noise(3 * w.itemsize, seed + 1))).toBe(3);
  expect(await redis.call('MMVEC.CLEAR', w.key)).toBe(13);
  const results = await redis
    .multi()
    .call('MMVEC.ADD', w.key, ...w.values)
    .call('MMVEC.ADDBLOB', w.key, noise(5 * w.itemsize, seed + 2))
    .call('MMVEC.POP', w.key)
    .exec();
  expect(results?.map(([err]) => err)).toEqual([null, null, null]);
}

async function expectSame(primary: TestServer, replica: TestServer, keys: readonly Wide[]): Promise<void> {
  for (const { key, file } of keys) {
    const want = fileOf(primary, file);
    expect(want.length, key).toBeGreaterThan(0);
    expect(fileOf(replica, file).equals(want), `${key}: ${file} is the primary's, byte for byte`).toBe(true);
    expect((await blobOf(exact(replica), key)).equals(want), `${key}: GETBLOB`).toBe(true);
    expect(await valuesOf(exact(replica), key), `${key}: MMVEC.RANGE`).toEqual(await valuesOf(exact(primary), key));
  }
}

describe(`the wider dtypes across servers on ${testedServer().label}`, () => {
  let primary: TestServer;
  let replica: TestServer;

  beforeAll(async () => {
    primary = await start({ args: ['--repl-diskless-sync-delay', '0'] });
    replica = await start({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    await linkUp(replica);
    await noForkChild(primary);
  });

  it("a replica in sync rebuilds every wider vector from the primary's effects", async () => {
    for (const [n, w] of WIDE.entries()) {
      expect(await primary.redis.call('MMVEC.OPEN', w.key, w.file, ...w.open)).toBe(0);
      await writeEvery(primary.redis, w, 10 + n);
    }
    await caughtUp(primary, replica);
    await expectSame(primary, replica, WIDE);
  });

  it('with mmvec.snapshot data a late replica gets the elements, a bytes65536 vector in whole-element chunks', async () => {
    expect(await primary.redis.call('CONFIG', 'SET', 'mmvec.snapshot', 'data')).toBe('OK');
    const wide: Wide = { key: 'w:64k', file: 'w.64k', open: ['TYPE', 'bytes65536'], itemsize: 65536, values: [] };
    expect(await primary.redis.call('MMVEC.OPEN', wide.key, wide.file, ...wide.open)).toBe(0);
    // 20 elements of 64 KiB: past one 1 MiB chunk.
    expect(await primary.redis.call('MMVEC.ADDBLOB', wide.key, noise(20 * 65536, 3))).toBe(20);
    const late = await start({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    await linkUp(late);
    await caughtUp(primary, late, 2);
    await expectSame(primary, late, [...WIDE, wide]);
    expect(restoreTemps(late.dir)).toEqual([]);

    const other = await start({ args: ['--mmvec.snapshot', 'data'] });
    for (const { key, file } of [...WIDE, wide]) {
      const payload = (await primary.redis.callBuffer('DUMP', key)) as Buffer;
      expect(await other.redis.call('RESTORE', key, '0', payload), key).toBe('OK');
      expect(fileOf(other, file).equals(fileOf(primary, file)), `${key}: RESTORE writes the same bytes`).toBe(true);
    }
    expect(await other.redis.call('CONFIG', 'SET', 'mmvec.snapshot', 'path')).toBe('OK');
  });

  it('the AOF, with and without the RDB preamble, reloads every wider key exactly', async () => {
    for (const preamble of ['yes', 'no']) {
      const server = await start({ args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble] });
      for (const [n, w] of WIDE.entries()) {
        expect(await server.redis.call('MMVEC.OPEN', w.key, w.file, ...w.open)).toBe(0);
        await writeEvery(server.redis, w, 40 + n);
      }
      const before = await Promise.all(WIDE.map((w) => valuesOf(exact(server), w.key)));
      const files = WIDE.map((w) => fileOf(server, w.file));
      expect(await server.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
      expect(await server.redis.call('BGREWRITEAOF')).toBeTruthy();
      await noForkChild(server);
      expect(await server.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
      expect(await Promise.all(WIDE.map((w) => valuesOf(exact(server), w.key)))).toEqual(before);
      expect(WIDE.map((w) => fileOf(server, w.file))).toEqual(files);
    }
  });
});
