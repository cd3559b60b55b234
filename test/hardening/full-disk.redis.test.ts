/**
 * The module on a full disk: its DIR on a 1 MiB tmpfs, appended to until the file system
 * has no room. An append that does not fit answers the exact
 * `ERR write <file>: No space left on device (os error 28)`, appends nothing (also for a
 * multi-value ADD and a SETBLOB that runs past the end), the vector stays whole (count =
 * size / itemsize, every value intact), the server keeps serving (reads, in-place writes),
 * and after space is freed (MMVEC.CLEAR of another vector) appends work again.
 *
 * Needs `mount -t tmpfs` (root); without it the test is skipped, saying why.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startServer, type TestServer } from '../helpers/redis';
import { ENOSPC_TEXT, mountSmallDisk, type SmallDisk } from './full-disk-support';

let disk: SmallDisk;
let redisDir: string;
let skipReason: string | undefined;
let server: TestServer | undefined;

beforeAll(() => {
  disk = mountSmallDisk();
  redisDir = disk.dir;
  skipReason = disk.skipReason;
});

afterAll(async () => {
  await server?.stop();
  if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  disk.unmount();
});

/** int64 elements start+1, start+2, …: element i holds i + 1. */
function sequence(start: number, n: number): Buffer {
  const values = new BigInt64Array(n);
  for (let k = 0; k < n; k++) values[k] = BigInt(start + k + 1);
  return Buffer.from(values.buffer);
}

function checkSequence(file: string): number {
  const bytes = fs.readFileSync(file);
  expect(bytes.length % 8).toBe(0);
  const values = new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  for (let i = 0; i < values.length; i++)
    if (values[i] !== BigInt(i + 1)) expect.fail(`element ${i} is ${values[i]}, expected ${i + 1}`);
  return values.length;
}

describe('Redis on a full file system', () => {
  it('an append that does not fit is an ENOSPC error; the vector stays whole; freeing space heals', async (ctx) => {
    if (skipReason) ctx.skip();
    server = await startServer({ moduleArgs: ['DIR', redisDir] });
    const redis = server.redis;
    const file = path.join(redisDir, 'fill.i64');
    const enospc = `ERR write ${file}: ${ENOSPC_TEXT}`;

    expect(await redis.call('MMVEC.OPEN', 'ballast', path.join(redisDir, 'ballast.i64'), 'TYPE', 'int64')).toBe(0);
    expect(await redis.call('MMVEC.ADDBLOB', 'ballast', sequence(0, 32768))).toBe(32768); // 256 KiB
    expect(await redis.call('MMVEC.OPEN', 'fill', 'fill.i64', 'TYPE', 'int64')).toBe(0);

    // 64 KiB at a time until the file system refuses.
    let count = 0;
    let error: string | undefined;
    for (let i = 0; i < 64 && !error; i++) {
      error = await errorOf(redis.call('MMVEC.ADDBLOB', 'fill', sequence(count, 8192)));
      if (!error) count += 8192;
    }
    expect(error).toBe(enospc);
    expect(await redis.call('MMVEC.COUNT', 'fill')).toBe(count);
    expect(checkSequence(file)).toBe(count);

    // Then one element at a time, until even that does not fit.
    error = undefined;
    for (let i = 0; i < 2048 && !error; i++) {
      error = await errorOf(redis.call('MMVEC.ADD', 'fill', String(count + 1)));
      if (!error) count += 1;
    }
    expect(error).toBe(enospc);
    expect(fs.statSync(file).size).toBe(count * 8);

    // Nothing is appended by a refused multi-value ADD, ADDBLOB, or SETBLOB past the end.
    expect(await errorOf(redis.call('MMVEC.ADD', 'fill', String(count + 1), String(count + 2)))).toBe(enospc);
    expect(await errorOf(redis.call('VADD', 'fill', String(count + 1)))).toBe(enospc);
    expect(await errorOf(redis.call('MMVEC.ADDBLOB', 'fill', sequence(count, 1)))).toBe(enospc);
    const overlap = Buffer.concat([Buffer.from(new BigInt64Array([-5n]).buffer), sequence(count, 1)]);
    expect(await errorOf(redis.call('MMVEC.SETBLOB', 'fill', String(count - 1), overlap))).toBe(enospc);
    expect(await redis.call('MMVEC.COUNT', 'fill')).toBe(count);
    expect(checkSequence(file)).toBe(count);

    // The server keeps serving: reads, in-place writes, other commands.
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.call('MMVEC.GET', 'fill', String(count - 1))).toBe(count);
    expect(await redis.call('MMVEC.SET', 'fill', '0', '7')).toBe(1);
    expect(await redis.call('MMVEC.INCRBY', 'fill', '0', '-6')).toBe(1);
    const blob = (await redis.callBuffer('MMVEC.GETBLOB', 'fill', '0', String(count))) as Buffer;
    expect(blob.equals(fs.readFileSync(file))).toBe(true);
    expect(await redis.call('MMVEC.SYNC', 'fill')).toBe('OK');
    expect(String(await redis.info('mmvec'))).toContain('mmvec_vectors:2');

    // Free space by clearing the ballast: appends work again.
    expect(await redis.call('VCLEAR', 'ballast')).toBe(32768);
    expect(await redis.call('MMVEC.ADDBLOB', 'fill', sequence(count, 8192))).toBe(8192);
    count += 8192;
    expect(await redis.call('MMVEC.ADD', 'fill', String(count + 1), String(count + 2))).toBe(2);
    count += 2;
    expect(await redis.call('MMVEC.COUNT', 'fill')).toBe(count);
    expect(checkSequence(file)).toBe(count);
  });
});
