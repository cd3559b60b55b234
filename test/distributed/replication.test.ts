/**
 * Replication across real redis-servers, each with its own --dir: a replica (and a replica
 * of that replica) rebuilds every vector file from the primary's positional effects (the
 * binding, PUTAT, SPLICE, SETLEN), a late replica gets the elements through a full sync
 * with `mmvec.snapshot data` (and only the bindings, answering "backing file missing",
 * with `path`), and a shrink while a BGSAVE or full-sync child is alive keeps the file
 * whole until the child is gone.
 *
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ServerOptions,
  type TestServer,
  errorOf,
  infoField,
  startServer,
  testedServer,
  waitFor,
} from '../helpers/redis';
import {
  DTYPES,
  Model,
  blobOf,
  caughtUp,
  exactClients,
  fileOf,
  infoOf,
  linkUp,
  noForkChild,
  noise,
  restoreTemps,
  valuesOf,
  writeEverything,
} from './support';

const started: TestServer[] = [];
const clients: Redis[] = [];

async function start(options: ServerOptions = {}): Promise<TestServer> {
  const server = await startServer(options);
  started.push(server);
  return server;
}

const exact = exactClients(clients);

const replicaOf = (primary: TestServer) => ['--replicaof', '127.0.0.1', String(primary.port)];

afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  for (const server of started) await server.stop('nosave');
  for (const dir of new Set(started.map((s) => s.dir))) fs.rmSync(dir, { recursive: true, force: true });
});

interface Bound {
  key: string;
  file: string;
  model: Model;
}

/** Every key's file, bytes over the wire and values are the model's on both servers. */
async function expectSame(primary: TestServer, replica: TestServer, keys: readonly Bound[]): Promise<void> {
  const p = exact(primary);
  const r = exact(replica);
  for (const { key, file, model } of keys) {
    const want = model.bytes;
    expect(fileOf(primary, file).equals(want), `${key}: primary file is the model (${model.count} elements)`).toBe(
      true,
    );
    expect(fileOf(replica, file).equals(want), `${key}: replica file ${file} is the primary's, byte for byte`).toBe(
      true,
    );
    expect((await blobOf(r, key)).equals(want), `${key}: replica GETBLOB`).toBe(true);
    expect((await blobOf(p, key)).equals(want), `${key}: primary GETBLOB`).toBe(true);
    expect(await valuesOf(r, key), `${key}: MMVEC.RANGE`).toEqual(await valuesOf(p, key));
    expect(await r.call('MMVEC.COUNT', key)).toBe(String(model.count));
  }
}

describe('a replica that is in sync before the writes', () => {
  let primary: TestServer;
  let replica: TestServer;
  let sub: TestServer; // a replica of the replica: gets the effects the replica passes on verbatim
  const keys: Bound[] = [];

  beforeAll(async () => {
    primary = await start({ args: ['--repl-diskless-sync-delay', '0'] });
    replica = await start({ args: [...replicaOf(primary), '--repl-diskless-sync-delay', '0'] });
    await linkUp(replica);
    sub = await start({ args: replicaOf(replica) });
    await linkUp(sub);
    // The full syncs' fork children must be gone, or shrinks would (rightly) be held.
    await noForkChild(primary);
    await noForkChild(replica);
  });

  it('rebuilds every vector of every dtype byte for byte from a stream of every write command', async () => {
    for (const [n, dtype] of DTYPES.entries()) {
      const main = { key: `main:${dtype}`, file: `main.${dtype}`, model: new Model(dtype) };
      const seed = { key: `seed:${dtype}`, file: `seed.${dtype}`, model: new Model(dtype) };
      const emptied = { key: `emptied:${dtype}`, file: `emptied.${dtype}`, model: new Model(dtype) };
      await writeEverything(primary.redis, main.key, main.file, main.model, { seed: 10 * n });
      await writeEverything(primary.redis, seed.key, seed.file, seed.model, { seed: 10 * n + 5, aliases: true });
      await writeEverything(primary.redis, emptied.key, emptied.file, emptied.model, {
        seed: 10 * n + 7,
        endEmpty: true,
      });
      keys.push(main, seed, emptied);
    }
    // A second round on the same keys: re-opens, writes over the earlier state.
    for (const [n, { key, file, model }] of keys.entries()) {
      await writeEverything(primary.redis, key, file, model, {
        seed: 1000 + n,
        aliases: key.startsWith('seed:'),
        endEmpty: key.startsWith('emptied:'),
      });
    }

    await caughtUp(primary, replica);
    await expectSame(primary, replica, keys);
    for (const { key, model } of keys.filter((k) => k.key.startsWith('emptied:'))) {
      expect(model.count, key).toBe(0);
    }
    await caughtUp(replica, sub);
    await expectSame(primary, sub, keys);
  });

  it("the replica's files are its own, under its DIR, and it refuses client writes", async () => {
    const info = await infoOf(replica.redis, 'main:float64');
    expect(info.file).toBe(path.join(fs.realpathSync(replica.dir), 'main.float64'));
    expect(info.backing).toBe('mapped');
    expect(await errorOf(replica.redis.call('MMVEC.ADD', 'main:float64', '1'))).toBe(
      "READONLY You can't write against a read only replica.",
    );
  });

  // Finding: the MMVEC.OPEN effect carries the path as the client gave it. An absolute
  // path inside the primary's DIR is outside the replica's DIR, so the replica refuses
  // the binding ("ERR path ... is outside the allowed directory" in its log), then every
  // later effect ("ERR no such key"): the key does not exist there, and reads of it answer
  // like an empty vector (COUNT 0, RANGE empty).
  it("a key bound by an absolute path inside the primary's DIR is reproduced on the replica", async () => {
    const file = path.join(fs.realpathSync(primary.dir), 'abs.f64');
    expect(await primary.redis.call('MMVEC.OPEN', 'abs', file)).toBe(0);
    expect(await primary.redis.call('MMVEC.ADD', 'abs', '1.5', '2.5')).toBe(2);
    await caughtUp(primary, replica);
    expect(await replica.redis.exists('abs')).toBe(1);
    expect(await replica.redis.call('MMVEC.RANGE', 'abs', '0', '-1')).toEqual(['1.5', '2.5']);
  });

  it('after a failover (REPLICAOF NO ONE) the former replica writes its files itself, and its own replica follows', async () => {
    await caughtUp(primary, replica);
    expect(await replica.redis.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    const promoted = keys.filter((k) => k.key.startsWith('main:'));
    for (const [n, { key, file, model }] of promoted.entries())
      await writeEverything(replica.redis, key, file, model, { seed: 3000 + n });
    await caughtUp(replica, sub);
    await expectSame(replica, sub, promoted);
  });
});

describe('a replica that connects after the writes', () => {
  it('with mmvec.snapshot data, the full sync carries the elements: the replica writes the files under its own DIR', async () => {
    const primary = await start({ args: ['--repl-diskless-sync-delay', '0'] });
    expect(await primary.redis.call('CONFIG', 'SET', 'mmvec.snapshot', 'data')).toBe('OK');
    const keys: Bound[] = [];
    for (const [n, dtype] of DTYPES.entries()) {
      const bound = { key: `late:${dtype}`, file: `late.${dtype}`, model: new Model(dtype) };
      await writeEverything(primary.redis, bound.key, bound.file, bound.model, { seed: 77 + n, aliases: n % 2 === 1 });
      keys.push(bound);
    }
    // Several 1 MiB chunks and a partial one; an empty vector; a read-only key.
    const big = { key: 'late:big', file: 'big.f64', model: new Model('float64') };
    expect(await primary.redis.call('MMVEC.OPEN', big.key, big.file)).toBe(0);
    const blob = Buffer.from(Float64Array.from({ length: 400_003 }, (_, i) => i * 1.25 - 7).buffer);
    expect(await primary.redis.call('MMVEC.ADDBLOB', big.key, blob)).toBe(400_003);
    big.model.addBlob(blob);
    const none = { key: 'late:none', file: 'none.i16', model: new Model('int16') };
    expect(await primary.redis.call('MMVEC.OPEN', none.key, none.file, 'TYPE', 'int16')).toBe(0);
    const ro = { key: 'late:ro', file: 'ro.u32', model: new Model('uint32') };
    ro.model.add(['1', '4294967295', '3']);
    fs.writeFileSync(path.join(primary.dir, ro.file), ro.model.bytes);
    expect(await primary.redis.call('MMVEC.OPEN', ro.key, ro.file, 'TYPE', 'uint32', 'READONLY')).toBe(3);
    keys.push(big, none, ro);

    const replica = await start({ args: replicaOf(primary) });
    await linkUp(replica);
    await caughtUp(primary, replica);
    await expectSame(primary, replica, keys);
    for (const { key, file } of keys) {
      const info = await infoOf(replica.redis, key);
      expect(info.backing, key).toBe('mapped');
      expect(info.file, key).toBe(path.join(fs.realpathSync(replica.dir), file));
    }
    expect(await errorOf(replica.redis.call('MMVEC.SET', ro.key, '0', '1'))).toBe(
      "READONLY You can't write against a read only replica.",
    );
    expect(restoreTemps(replica.dir)).toEqual([]);
    expect(replica.log()).not.toContain('This replica is sending an error to its master');

    // Further writes (every command again, and keys bound after the sync) keep them equal.
    await noForkChild(primary);
    for (const [n, { key, file, model }] of keys.entries()) {
      if (key === ro.key) continue;
      await writeEverything(primary.redis, key, file, model, { seed: 500 + n });
    }
    for (const [n, dtype] of DTYPES.entries()) {
      const bound = { key: `after:${dtype}`, file: `after.${dtype}`, model: new Model(dtype) };
      await writeEverything(primary.redis, bound.key, bound.file, bound.model, { seed: 900 + n });
      keys.push(bound);
    }
    await caughtUp(primary, replica);
    await expectSame(primary, replica, keys);
    expect(replica.log()).not.toContain('This replica is sending an error to its master');
  });

  // Finding: with a read-write key and a READONLY key on one file, the full sync restores
  // the file once per key. When the RDB lists the READONLY key first, it maps the file it
  // restored; the read-write key's restore then renames a new file over the path, so the
  // READONLY key keeps mapping the old, unlinked inode and never sees the writer's
  // in-place writes again: the replica answers the old value where the primary answers
  // the new one. Which pairs are affected follows the RDB's key order (Redis seeds its
  // hash randomly per process); with 20 pairs some are, all but certainly.
  it('with mmvec.snapshot data, a READONLY key sharing a file with a read-write key sees the same writes as on the primary', async () => {
    const primary = await start({ args: ['--repl-diskless-sync-delay', '0', '--mmvec.snapshot', 'data'] });
    const pairs = Array.from({ length: 20 }, (_, i) => [`rw${i}`, `ro${i}`, `shared${i}.i32`] as const);
    for (const [rw, ro, file] of pairs) {
      expect(await primary.redis.call('MMVEC.OPEN', rw, file, 'TYPE', 'int32')).toBe(0);
      expect(await primary.redis.call('MMVEC.ADD', rw, '1', '2', '3')).toBe(3);
      expect(await primary.redis.call('MMVEC.OPEN', ro, file, 'TYPE', 'int32', 'READONLY')).toBe(3);
    }
    const replica = await start({ args: replicaOf(primary) });
    await linkUp(replica);
    for (const [rw] of pairs) expect(await primary.redis.call('MMVEC.SET', rw, '0', '42')).toBe(1);
    await caughtUp(primary, replica);
    const stale: string[] = [];
    for (const [, ro] of pairs) {
      expect(await primary.redis.call('MMVEC.GET', ro, '0'), ro).toBe(42);
      if ((await replica.redis.call('MMVEC.GET', ro, '0')) !== 42) stale.push(ro);
    }
    expect(stale, 'READONLY keys that read a stale value on the replica').toEqual([]);
  });

  it("with mmvec.snapshot path, a key whose file the replica lacks answers 'backing file missing', not an empty vector", async () => {
    const primary = await start({ args: ['--repl-diskless-sync-delay', '0'] });
    expect(await primary.redis.call('CONFIG', 'GET', 'mmvec.snapshot')).toEqual(['mmvec.snapshot', 'path']);
    expect(await primary.redis.call('MMVEC.OPEN', 'pv', 'pv.i32', 'TYPE', 'int32')).toBe(0);
    expect(await primary.redis.call('MMVEC.ADD', 'pv', '1', '2', '3')).toBe(3);
    fs.writeFileSync(path.join(primary.dir, 'pro.f64'), Buffer.from(Float64Array.of(0.5, 0.25).buffer));
    expect(await primary.redis.call('MMVEC.OPEN', 'pro', 'pro.f64', 'READONLY')).toBe(2);

    const replica = await start({ args: replicaOf(primary) });
    await linkUp(replica);
    await caughtUp(primary, replica);
    expect(await replica.redis.exists('pv', 'pro')).toBe(2);
    for (const [key, file] of [
      ['pv', 'pv.i32'],
      ['pro', 'pro.f64'],
    ]) {
      const missing = `ERR backing file missing: ${file}`;
      expect(await errorOf(replica.redis.call('MMVEC.COUNT', key!)), key).toBe(missing);
      expect(await errorOf(replica.redis.call('MMVEC.RANGE', key!, '0', '-1')), key).toBe(missing);
      expect(await errorOf(replica.redis.call('MMVEC.GETBLOB', key!, '0', '10')), key).toBe(missing);
      expect((await infoOf(replica.redis, key!)).backing, key).toBe(`backing file missing: ${file}`);
      expect(fs.existsSync(path.join(replica.dir, file!)), `${file} is not created on the replica`).toBe(false);
    }

    // A later write on the primary fails on the replica (logged), and creates nothing.
    expect(await primary.redis.call('MMVEC.ADD', 'pv', '4')).toBe(1);
    await caughtUp(primary, replica);
    expect(await errorOf(replica.redis.call('MMVEC.COUNT', 'pv'))).toBe('ERR backing file missing: pv.i32');
    expect(fs.existsSync(path.join(replica.dir, 'pv.i32'))).toBe(false);
    // Valkey calls the primary a primary in its log; Redis, a master.
    const primaryWord = testedServer().product === 'valkey' ? 'primary' : 'master';
    await waitFor('the replica to log the refused effect', () =>
      replica
        .log()
        .includes(
          `This replica is sending an error to its ${primaryWord}: '-ERR backing file missing: pv.i32' after processing the command 'mmvec.splice'`,
        ),
    );
  });
});

describe("a replica that shares the primary's DIR (same host), in path mode", () => {
  // Not supported (docs/OPERATIONS.md, "Replicas"): a replica applies the primary's writes
  // to its own files, so it needs its own DIR. Sharing one makes every key there answer
  // the lock error, clearly, and changes nothing on the primary.
  it('answers that the file is locked by the primary, and the primary is unaffected', async () => {
    const primary = await start({ args: ['--repl-diskless-sync-delay', '0'] });
    expect(await primary.redis.call('MMVEC.OPEN', 'before', 'before.f64')).toBe(0);
    expect(await primary.redis.call('MMVEC.ADD', 'before', '1', '2')).toBe(2);
    const replica = await start({ dir: primary.dir, args: [...replicaOf(primary), '--dbfilename', 'replica.rdb'] });
    await linkUp(replica);
    expect(await primary.redis.call('MMVEC.ADD', 'before', '4')).toBe(1);
    await caughtUp(primary, replica);
    const file = path.join(fs.realpathSync(primary.dir), 'before.f64');
    expect(await errorOf(replica.redis.call('MMVEC.RANGE', 'before', '0', '-1'))).toBe(
      `ERR backing file unusable: ${file} is locked by another writer`,
    );
    expect(await primary.redis.call('MMVEC.RANGE', 'before', '0', '-1')).toEqual(['1', '2', '4']);
  });
});

describe('a shrink while a BGSAVE child is alive (mmvec.snapshot data)', () => {
  it('keeps the file whole for the child, the save succeeds with the pre-shrink data, the next write truncates', async () => {
    const server = await start({ args: ['--mmvec.snapshot', 'data'] });
    const redis = server.redis;
    const CHUNK = 512 * 1024; // float64 elements per ADDBLOB: 4 MiB
    const CHUNKS = 16; // 64 MiB
    const N = CHUNK * CHUNKS;
    const chunk = (k: number) => Float64Array.from({ length: CHUNK }, (_, i) => k * CHUNK + i);
    expect(await redis.call('MMVEC.OPEN', 'big', 'big.f64')).toBe(0);
    for (let k = 0; k < CHUNKS; k++)
      expect(await redis.call('MMVEC.ADDBLOB', 'big', Buffer.from(chunk(k).buffer))).toBe(CHUNK);
    const small = Int32Array.from({ length: 1 << 20 }, (_, i) => i ^ 0x5a5a);
    expect(await redis.call('MMVEC.OPEN', 'big2', 'big2.i32', 'TYPE', 'int32')).toBe(0);
    expect(await redis.call('MMVEC.ADDBLOB', 'big2', Buffer.from(small.buffer))).toBe(small.length);
    const bigFile = path.join(server.dir, 'big.f64');
    const big2File = path.join(server.dir, 'big2.i32');

    // One pipeline: the shrinks run in the same event-loop turn as the fork, while the
    // child (writing 68 MiB of elements) is certainly alive.
    const replies = await redis
      .pipeline()
      .call('BGSAVE')
      .call('VPOP', 'big')
      .call('VPOP', 'big')
      .call('VCLEAR', 'big2')
      .exec();
    expect(replies).toEqual([
      [null, 'Background saving started'],
      [null, String(N - 1)],
      [null, String(N - 2)],
      [null, small.length],
    ]);
    expect(await redis.call('VCOUNT', 'big')).toBe(N - 2);
    expect(await redis.call('VCOUNT', 'big2')).toBe(0);
    expect(fs.statSync(bigFile).size, 'no physical shrink while the child lives').toBe(N * 8);
    expect(fs.statSync(big2File).size, 'no physical shrink while the child lives').toBe(small.length * 4);

    await waitFor(
      'the BGSAVE to finish',
      async () => infoField(await redis.info('persistence'), 'rdb_bgsave_in_progress') === '0',
      30_000,
    );
    expect(infoField(await redis.info('persistence'), 'rdb_last_bgsave_status')).toBe('ok');
    expect(server.log()).toContain('Background saving terminated with success');

    // The next write to each key truncates its file to the count.
    expect(await redis.call('VSET', 'big', '0', '-1')).toBe(1);
    expect(fs.statSync(bigFile).size).toBe((N - 2) * 8);
    expect(await redis.call('VADD', 'big2', '7')).toBe(1);
    expect(fs.statSync(big2File).size).toBe(4);
    expect(await redis.call('MMVEC.RANGE', 'big', '-2', '-1')).toEqual([String(N - 4), String(N - 3)]);
    expect(await redis.call('MMVEC.RANGE', 'big2', '0', '-1')).toEqual([7]);

    // The snapshot holds the vectors as they were at the fork: a fresh server loading it
    // writes them, whole, under its own DIR.
    const other = await start({
      args: ['--mmvec.snapshot', 'data'],
      dir: (() => {
        const dir = fs.mkdtempSync(path.join(path.dirname(server.dir), 'mmvec-redis-'));
        fs.copyFileSync(path.join(server.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
        return dir;
      })(),
    });
    expect(await other.redis.call('VCOUNT', 'big')).toBe(N);
    expect(await other.redis.call('VCOUNT', 'big2')).toBe(small.length);
    const loaded = fs.readFileSync(path.join(other.dir, 'big.f64'));
    expect(loaded.length).toBe(N * 8);
    for (let k = 0; k < CHUNKS; k++) {
      expect(
        loaded.subarray(k * CHUNK * 8, (k + 1) * CHUNK * 8).equals(Buffer.from(chunk(k).buffer)),
        `chunk ${k}`,
      ).toBe(true);
    }
    expect(fs.readFileSync(path.join(other.dir, 'big2.i32')).equals(Buffer.from(small.buffer))).toBe(true);
  });
  it("a pop and a clear during a full sync: the child ships the old elements, the effects that follow bring the replica to the primary's state", async () => {
    const primary = await start({ args: ['--repl-diskless-sync-delay', '0', '--mmvec.snapshot', 'data'] });
    const p = primary.redis;
    const values = Float64Array.from({ length: 300_000 }, (_, i) => i / 3);
    expect(await p.call('MMVEC.OPEN', 'fs1', 'fs1.f64')).toBe(0);
    expect(await p.call('MMVEC.ADDBLOB', 'fs1', Buffer.from(values.buffer))).toBe(values.length);
    expect(await p.call('MMVEC.OPEN', 'fs2', 'fs2.u8', 'TYPE', 'uint8')).toBe(0);
    expect(await p.call('MMVEC.ADDBLOB', 'fs2', noise(100_000, 3))).toBe(100_000);
    // Keep the full sync's child alive for a while (0.3 s per key).
    expect(await p.call('CONFIG', 'SET', 'rdb-key-save-delay', '300000')).toBe('OK');
    const replica = await start({ args: replicaOf(primary) });
    await waitFor(
      'the full sync child',
      async () => infoField(await p.info('persistence'), 'rdb_bgsave_in_progress') === '1',
    );
    expect(await p.call('VPOP', 'fs1')).not.toBeNull();
    expect(await p.call('VCLEAR', 'fs2')).toBe(100_000);
    expect(await p.call('VADD', 'fs2', '7')).toBe(1);
    expect(fs.statSync(path.join(primary.dir, 'fs1.f64')).size, 'held while the child lives').toBe(values.length * 8);
    expect(fs.statSync(path.join(primary.dir, 'fs2.u8')).size, 'held while the child lives').toBe(100_000);
    await linkUp(replica);
    expect(await p.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')).toBe('OK');
    await caughtUp(primary, replica);
    const fs1 = new Model('float64');
    fs1.addBlob(Buffer.from(values.buffer, 0, (values.length - 1) * 8));
    const fs2 = new Model('uint8');
    fs2.add(['7']);
    // The primary's files are truncated once the child has exited (at the latest on the next write).
    await noForkChild(primary);
    expect(await p.call('MMVEC.SET', 'fs1', '0', '0')).toBe(1);
    await caughtUp(primary, replica);
    await expectSame(primary, replica, [
      { key: 'fs1', file: 'fs1.f64', model: fs1 },
      { key: 'fs2', file: 'fs2.u8', model: fs2 },
    ]);
    expect(infoField(await p.info('persistence'), 'rdb_last_bgsave_status')).toBe('ok');
  });
});
