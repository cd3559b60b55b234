/**
 * One file, two users: a vector written through Redis is read by the Node addon in this
 * process, and the other way round, while both are live; the writer lock and the reader
 * lock hold across the two processes.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodedError, type DType, MmapVector } from '../..';
import { type TestServer, errorOf, startServer } from '../helpers/redis';

/**
 * A test of correct behaviour that currently fails because of a known bug (reported, not
 * fixed here). MMVEC_EXPECT_FIXED=1 runs these as ordinary tests.
 */

const started: TestServer[] = [];
const opened: MmapVector<DType>[] = [];

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ args: ['--appendonly', 'yes'] });
  started.push(server);
});

afterAll(async () => {
  opened.forEach((v) => v.close());
  for (const s of started) await s.stop('nosave');
  for (const dir of new Set(started.map((s) => s.dir))) fs.rmSync(dir, { recursive: true, force: true });
});

function open<D extends DType>(file: string, dtype: D, mode: 'r' | 'r+' | 'w+' | 'a'): MmapVector<D> {
  const vector = MmapVector.open<D>(path.join(server.dir, file), { dtype, mode });
  opened.push(vector as unknown as MmapVector<DType>);
  return vector;
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as CodedError).code;
  }
}

function bytesOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

async function blob(key: string): Promise<Buffer> {
  return (await server.redis.callBuffer('MMVEC.GETBLOB', key, '0', '1000000000')) as Buffer;
}

// ---------------------------------------------------------------------------------------

const WRITTEN_BY_REDIS: { dtype: DType; text: string[]; values: ArrayBufferView }[] = [
  {
    dtype: 'int64',
    text: ['-9223372036854775808', '9223372036854775807', '0', '-1', '9007199254740993'],
    values: BigInt64Array.of(-9223372036854775808n, 9223372036854775807n, 0n, -1n, 9007199254740993n),
  },
  {
    dtype: 'float32',
    text: ['0.1', '-2.5', '3.4028234663852886e38', '1e-45'],
    values: Float32Array.of(0.1, -2.5, 3.4028234663852886e38, 1e-45),
  },
  {
    dtype: 'float64',
    text: ['0.1', '-1e308', '5e-324', '0.3333333333333333'],
    values: Float64Array.of(0.1, -1e308, 5e-324, 1 / 3),
  },
  { dtype: 'uint64', text: ['18446744073709551615', '1'], values: BigUint64Array.of(18446744073709551615n, 1n) },
  { dtype: 'int8', text: ['-128', '127', '0'], values: Int8Array.of(-128, 127, 0) },
  { dtype: 'uint16', text: ['65535', '0', '513'], values: Uint16Array.of(65535, 0, 513) },
];

describe('Redis writes, the addon reads', () => {
  it.each(WRITTEN_BY_REDIS)(
    '$dtype: values and bytes agree while the server holds the key',
    async ({ dtype, text, values }) => {
      const key = `r2n:${dtype}`;
      const file = `r2n-${dtype}.bin`;
      expect(await server.redis.call('MMVEC.OPEN', key, file, 'TYPE', dtype)).toBe(0);
      expect(await server.redis.call('MMVEC.ADD', key, ...text)).toBe(text.length);

      const vector = open(file, dtype, 'r');
      expect(vector.length).toBe(text.length);
      expect(vector.dtype).toBe(dtype);
      const copy = vector.slice();
      expect(bytesOf(copy).equals(bytesOf(values))).toBe(true);
      expect([...vector]).toEqual([...(values as unknown as Iterable<number | bigint>)]);
      expect(bytesOf(vector.view()).equals(fs.readFileSync(path.join(server.dir, file)))).toBe(true);
      expect(bytesOf(copy).equals(await blob(key))).toBe(true);
      // The server still has it mapped, read-write.
      const info = (await server.redis.call('MMVEC.INFO', key)) as (string | number)[];
      expect(info.slice(12, 16)).toEqual(['mode', 'read-write', 'backing', 'mapped']);
      vector.close();
    },
  );

  it('appends through Redis are seen by the next open; writes in place are seen by a fresh open', async () => {
    expect(await server.redis.call('MMVEC.OPEN', 'grow', 'grow.bin', 'TYPE', 'int32')).toBe(0);
    expect(await server.redis.call('VADD', 'grow', '1', '2')).toBe(2);
    const first = open('grow.bin', 'int32', 'r');
    expect([...first]).toEqual([1, 2]);
    expect(await server.redis.call('VADD', 'grow', '3')).toBe(1); // growing under a reader is fine
    expect(await server.redis.call('VSET', 'grow', '0', '10')).toBe(1);
    expect(first.length).toBe(2); // a reader's length is fixed at open
    first.close();
    const second = open('grow.bin', 'int32', 'r');
    expect([...second]).toEqual([10, 2, 3]);
    second.close();
  });
});

describe('the addon writes, Redis reads', () => {
  it('10k float64 values pushed by MmapVector (w+) are read back by MMAP: RANGE and GETBLOB', async () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => (i - 5000) / 7 + Math.PI * i);
    const vector = open('n2r.bin', 'float64', 'w+');
    expect(vector.pushArray(values)).toBe(10_000);
    vector.close();

    expect(await server.redis.call('MMAP', 'n2r', 'n2r.bin')).toBe(10_000);
    expect(await server.redis.call('VCOUNT', 'n2r')).toBe(10_000);
    const range = (await server.redis.call('MMVEC.RANGE', 'n2r', '0', '-1')) as string[];
    expect(range.map(Number)).toEqual([...values]);
    expect((await blob('n2r')).equals(bytesOf(values))).toBe(true);
    expect(await server.redis.call('MMVEC.RANGE', 'n2r', '-2', '-1')).toEqual([
      String(values[9998]),
      String(values[9999]),
    ]);
    expect(Number(await server.redis.call('VGET', 'n2r', '1234'))).toBe(values[1234]);
  });

  it('10k int64 values (beyond 2^53) pushed by MmapVector are read back by MMVEC.OPEN TYPE int64', async () => {
    const values = BigInt64Array.from({ length: 10_000 }, (_, i) => (BigInt(i) - 5000n) * 3_000_000_000_000_019n);
    const vector = open('n2r64.bin', 'int64', 'w+');
    expect(vector.pushArray(values)).toBe(10_000);
    vector.close();

    expect(await server.redis.call('MMVEC.OPEN', 'n2r64', 'n2r64.bin', 'TYPE', 'int64')).toBe(10_000);
    expect((await blob('n2r64')).equals(bytesOf(values))).toBe(true);
    const last = (await server.redis.callBuffer('MMVEC.GETBLOB', 'n2r64', '9999', '1')) as Buffer;
    expect(last.readBigInt64LE(0)).toBe(values[9999]);
    expect(await server.redis.call('MMVEC.RANGE', 'n2r64', '4999', '5001')).toHaveLength(3);
    expect(await server.redis.call('VGET', 'n2r64', '5000')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------

describe('locks across the two processes', () => {
  it('while Redis holds the key read-write the addon cannot write (ERR_MMVEC_LOCKED) but can read; after DEL it can write', async () => {
    expect(await server.redis.call('MMVEC.OPEN', 'lk', 'lk.bin', 'TYPE', 'int16')).toBe(0);
    expect(await server.redis.call('VADD', 'lk', '1', '2', '3')).toBe(3);
    const file = path.join(server.dir, 'lk.bin');
    const bytes = fs.readFileSync(file);

    expect(codeOf(() => open('lk.bin', 'int16', 'a'))).toBe('ERR_MMVEC_LOCKED');
    expect(codeOf(() => open('lk.bin', 'int16', 'r+'))).toBe('ERR_MMVEC_LOCKED');
    expect(codeOf(() => open('lk.bin', 'int16', 'w+'))).toBe('ERR_MMVEC_LOCKED');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true); // w+ truncated nothing

    const reader = open('lk.bin', 'int16', 'r');
    expect([...reader]).toEqual([1, 2, 3]);
    reader.close();

    expect(await server.redis.del('lk')).toBe(1);
    const writer = open('lk.bin', 'int16', 'a');
    expect([...writer]).toEqual([1, 2, 3]);
    writer.push(4);

    // Now the addon holds the writer lock: Redis cannot bind the file read-write...
    expect(await errorOf(server.redis.call('MMVEC.OPEN', 'lk', 'lk.bin', 'TYPE', 'int16'))).toMatch(
      /^ERR .*lk\.bin is locked by another writer/,
    );
    expect(await server.redis.exists('lk')).toBe(0);
    // ...but can bind it READONLY.
    expect(await server.redis.call('MMVEC.OPEN', 'lk-ro', 'lk.bin', 'TYPE', 'int16', 'READONLY')).toBe(4);
    expect(await server.redis.call('MMVEC.RANGE', 'lk-ro', '0', '-1')).toEqual([1, 2, 3, 4]);
    expect(await server.redis.del('lk-ro')).toBe(1);

    writer.close();
    expect(await server.redis.call('MMVEC.OPEN', 'lk', 'lk.bin', 'TYPE', 'int16')).toBe(4);
    expect(await server.redis.call('VADD', 'lk', '5')).toBe(1);
    expect(fs.readFileSync(file).equals(bytesOf(Int16Array.of(1, 2, 3, 4, 5)))).toBe(true);
  });

  it('while the addon maps the file read-only, Redis may grow it but refuses to shrink it (no SIGBUS in the reader)', async () => {
    expect(await server.redis.call('MMVEC.OPEN', 'sh', 'sh.bin', 'TYPE', 'float64')).toBe(0);
    expect(await server.redis.call('VADD', 'sh', '1', '2', '3')).toBe(3);
    const reader = open('sh.bin', 'float64', 'r');
    const view = reader.view();

    expect(await errorOf(server.redis.call('VPOP', 'sh'))).toMatch(/^ERR .*sh\.bin is mapped by a reader/);
    expect(await errorOf(server.redis.call('VCLEAR', 'sh'))).toMatch(/^ERR .*mapped by a reader/);
    expect(await server.redis.call('VADD', 'sh', '4')).toBe(1);
    expect(await server.redis.call('VCOUNT', 'sh')).toBe(4);
    expect([...view]).toEqual([1, 2, 3]); // every page the reader maps is still there

    reader.close();
    expect(await server.redis.call('VPOP', 'sh')).toBe('4');
    expect(await server.redis.call('VCLEAR', 'sh')).toBe(3);
    expect(fs.statSync(path.join(server.dir, 'sh.bin')).size).toBe(0);
  });

  // BUG: the AOF tail is replayed onto the live file; a replayed shrink (SPLICE's resize,
  // SETLEN) that a mapped reader refuses is skipped, but a later SPLICE that starts at the
  // current end still appends, so an element popped before the restart comes back.
  it('a restart that replays the AOF while the addon maps the file read-only does not resurrect popped elements', async () => {
    const first = await startServer({ args: ['--appendonly', 'yes'] });
    started.push(first);
    expect(await first.redis.call('MMVEC.OPEN', 'rs', 'rs.bin', 'TYPE', 'int32')).toBe(0);
    expect(await first.redis.call('VADD', 'rs', '1', '2')).toBe(2); // SPLICE rs 0 [1 2]
    expect(await first.redis.call('VADD', 'rs', '3')).toBe(1); // SPLICE rs 2 [3]
    expect(await first.redis.call('VPOP', 'rs')).toBe(3); // SETLEN rs 2
    const file = path.join(first.dir, 'rs.bin');
    const reader = MmapVector.open(file, { dtype: 'int32', mode: 'r' });
    opened.push(reader as unknown as MmapVector<DType>);
    try {
      const second = await first.restart();
      started.push(second);
      // Observed: VCOUNT rs is 3 and rs.bin holds [1, 2, 3].
      expect(await second.redis.call('MMVEC.RANGE', 'rs', '0', '-1')).toEqual([1, 2]);
      expect(await second.redis.call('VCOUNT', 'rs')).toBe(2);
    } finally {
      reader.close();
    }
  });

  // BUG (same cause): a replica applies MMVEC.SETLEN from its primary; when a reader maps
  // the replica's file the effect fails there and is dropped, and the replica diverges.
  it("a replica whose file the addon maps read-only still follows the primary's pops", async () => {
    const primary = await startServer({ args: ['--repl-diskless-sync-delay', '0'] });
    started.push(primary);
    const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    started.push(replica);
    const linkUp = async () => (await replica.redis.info('replication')).includes('master_link_status:up');
    for (const deadline = Date.now() + 10_000; !(await linkUp());) {
      if (Date.now() > deadline) throw new Error('the replica did not connect');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await primary.redis.call('MMVEC.OPEN', 'rp', 'rp.bin', 'TYPE', 'int32')).toBe(0);
    expect(await primary.redis.call('VADD', 'rp', '1', '2', '3')).toBe(3);
    expect(await primary.redis.call('WAIT', '1', '5000')).toBe(1);
    expect(await replica.redis.call('VCOUNT', 'rp')).toBe(3);

    const reader = MmapVector.open(path.join(replica.dir, 'rp.bin'), { dtype: 'int32', mode: 'r' });
    opened.push(reader as unknown as MmapVector<DType>);
    try {
      expect(await primary.redis.call('VPOP', 'rp')).toBe(3);
      expect(await primary.redis.call('WAIT', '1', '5000')).toBe(1);
      // Observed: the replica still answers 3 and [1, 2, 3].
      expect(await replica.redis.call('VCOUNT', 'rp')).toBe(2);
      expect(await replica.redis.call('MMVEC.RANGE', 'rp', '0', '-1')).toEqual([1, 2]);
    } finally {
      reader.close();
    }
  });
});

describe('two keys on one file in one server', () => {
  // The policy (docs/COMMANDS.md, "One writer per file"): keys never share a mapping. A
  // READONLY key keeps the length the file had when it was bound, and while it exists
  // the read-write key may not shrink the file (that would crash the server with SIGBUS
  // on the next read through the READONLY key).
  it('a READONLY key keeps its length and blocks shrinks of the read-write key, never crashing', async () => {
    expect(await server.redis.call('MMVEC.OPEN', 'both', 'both.bin', 'TYPE', 'int8')).toBe(0);
    expect(await server.redis.call('VADD', 'both', '1', '2')).toBe(2);
    expect(await server.redis.call('MMVEC.OPEN', 'both-ro', 'both.bin', 'TYPE', 'int8', 'READONLY')).toBe(2);
    expect(await server.redis.call('VADD', 'both', '3')).toBe(1);
    expect(await server.redis.call('VCOUNT', 'both-ro')).toBe(2);
    const file = path.join(fs.realpathSync(server.dir), 'both.bin');
    const blocked = `ERR ${file} is mapped by a reader: shrinking it now would crash that reader`;
    expect(await errorOf(server.redis.call('VCLEAR', 'both'))).toBe(blocked);
    expect(await errorOf(server.redis.call('VPOP', 'both'))).toBe(blocked);
    expect(await server.redis.call('MMVEC.RANGE', 'both-ro', '0', '-1')).toEqual([1, 2]);
    expect(await server.redis.call('DEL', 'both-ro')).toBe(1);
    expect(await server.redis.call('VPOP', 'both')).toBe(3);
    expect(await server.redis.call('PING')).toBe('PONG');
  });
});
