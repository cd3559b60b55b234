import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmvecClient } from '../..';
import { errorOf, startServer, type TestServer } from '../helpers/redis';

describe('MmvecClient over ioredis', () => {
  let server: TestServer;
  let client: MmvecClient;

  beforeAll(async () => {
    server = await startServer();
    client = new MmvecClient(server.redis);
  });
  afterAll(async () => server.stop());

  it('drives every command with typed results', async () => {
    expect(await client.open('v', 'v.f64')).toBe(0);
    expect(await client.add('v', 0.1, 2.5, -3)).toBe(3);
    expect(await client.get('v', 0)).toBe(0.1);
    expect(await client.get('v', 99)).toBeNull();
    expect(await client.mget('v', [2, 9, 1])).toEqual([-3, null, 2.5]);
    expect(await client.set('v', [0, 2], [1.25, 7])).toBe(2);
    expect(await client.range('v')).toEqual([1.25, 2.5, 7]);
    expect(await client.range('v', -2, -1)).toEqual([2.5, 7]);
    expect(await client.incrBy('v', 1, 0.5)).toBe(3);
    expect(await client.pop('v')).toBe(7);
    expect(await client.count('v')).toBe(2);
    await client.sync('v');
    expect(await client.info('v')).toEqual({
      path: 'v.f64',
      file: path.join(fs.realpathSync(server.dir), 'v.f64'),
      dtype: 'float64',
      itemsize: 8,
      count: 2,
      bytes: 16,
      mode: 'read-write',
      backing: 'mapped',
    });
    expect(await client.clear('v')).toBe(2);
    expect(await client.count('v')).toBe(0);
    expect(await client.info('missing')).toBeNull();
  });

  it('moves typed arrays as raw bytes, exact for 64-bit integers', async () => {
    await client.open('ids', 'ids.i64', { dtype: 'int64' });
    const ids = new BigInt64Array([1n, -(2n ** 63n), 2n ** 62n + 1n]);
    expect(await client.addBlob('ids', ids)).toBe(3);
    expect(await client.getBlob('ids', 'int64')).toEqual(ids);
    expect(await client.setBlob('ids', 1, new BigInt64Array([5n]))).toBe(1);
    expect(await client.getBlob('ids', 'int64', 1, 1)).toEqual(new BigInt64Array([5n]));
    expect(await client.getBlob('missing', 'int64')).toBeNull();
    expect(fs.readFileSync(path.join(server.dir, 'ids.i64'))).toEqual(
      Buffer.from(new BigInt64Array([1n, 5n, 2n ** 62n + 1n]).buffer),
    );
  });

  it('opens read-only keys and reports errors from the module', async () => {
    fs.writeFileSync(path.join(server.dir, 'ro.f32'), Buffer.from(new Float32Array([0.5, 1.5]).buffer));
    expect(await client.open('ro', 'ro.f32', { dtype: 'f32', readonly: true })).toBe(2);
    expect((await client.info('ro'))?.mode).toBe('read-only');
    expect(await client.range('ro')).toEqual([0.5, 1.5]);
    expect(await errorOf(client.add('ro', 1))).toBe('ERR vector is read-only');
    expect(await errorOf(client.set('ro', [0], [1, 2]))).toBe('1 indices but 2 values');
  });
});
