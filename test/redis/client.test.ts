import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplyError } from 'ioredis';
import { ErrorReply, RESP_TYPES } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmvecClient } from '../..';
import { DTYPES, type DType, ITEMSIZE, noise } from '../distributed/support';
import { type Connected, type Library, LIBRARIES, connectCluster, connectServer } from '../helpers/clients';
import { ownerOf, startCluster, stopCluster } from '../helpers/cluster';
import { errorOf, startServer } from '../helpers/redis';

/** Where the client under test runs: its connection, and the dir that holds a key's file. */
interface Target extends Connected {
  dirOf(key: string): Promise<string>;
  stop(): Promise<void>;
}

const TOPOLOGIES: { name: string; start(library: Library): Promise<Target> }[] = [
  {
    name: 'a single server',
    async start(library) {
      const server = await startServer();
      const connected = await connectServer(library, server.port);
      return { ...connected, dirOf: async () => server.dir, stop: () => server.stop() };
    },
  },
  {
    name: 'a 3-primary cluster',
    async start(library) {
      const nodes = await startCluster();
      const connected = await connectCluster(library, nodes[0]!.port);
      return { ...connected, dirOf: async (key) => (await ownerOf(nodes, key)).dir, stop: () => stopCluster(nodes) };
    },
  },
];

const ARRAYS: Record<DType, new (length: number) => ArrayBufferView> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** What a read of a float32 element gives: RESP2 sends its shortest text, RESP3 its exact value. */
const float32Read = (library: Library, value: number) => (library === 'node-redis' ? Math.fround(value) : value);

describe.each(LIBRARIES)('MmvecClient over %s', (library) => {
  describe.each(TOPOLOGIES)('on $name', ({ start }) => {
    let target: Target;
    let client: MmvecClient;

    beforeAll(async () => {
      target = await start(library);
      client = target.client;
    });
    afterAll(async () => {
      await target.close();
      await target.stop();
    });

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
        file: path.join(fs.realpathSync(await target.dirOf('v')), 'v.f64'),
        dtype: 'float64',
        itemsize: 8,
        count: 2,
        bytes: 16,
        mode: 'read-write',
        backing: 'mapped',
        format: 'raw',
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
      expect(fs.readFileSync(path.join(await target.dirOf('ids'), 'ids.i64'))).toEqual(
        Buffer.from(new BigInt64Array([1n, 5n, 2n ** 62n + 1n]).buffer),
      );
    });

    it('moves every dtype as raw bytes: addBlob, setBlob and getBlob give back the exact bytes', async () => {
      for (const [seed, dtype] of DTYPES.entries()) {
        const key = `blob:${dtype}`;
        const size = ITEMSIZE[dtype];
        // Arbitrary bytes: every bit pattern, NaN payloads and subnormals included.
        const bytes = noise(300 * size, seed + 1);
        expect(await client.open(key, `blob.${dtype}`, { dtype }), key).toBe(0);
        expect(await client.addBlob(key, bytes), key).toBe(300);
        const patch = noise(4 * size, seed + 100);
        expect(await client.setBlob(key, 298, patch), key).toBe(4);
        const expected = Buffer.concat([bytes.subarray(0, 298 * size), patch]);

        const all = await client.getBlob(key, dtype);
        expect(all, key).toBeInstanceOf(ARRAYS[dtype]);
        expect(Buffer.from(all!.buffer).equals(expected), key).toBe(true);
        const middle = await client.getBlob(key, dtype, 297, 2);
        expect(middle?.length, key).toBe(2);
        expect(Buffer.from(middle!.buffer).equals(expected.subarray(297 * size, 299 * size)), key).toBe(true);
        expect(fs.readFileSync(path.join(await target.dirOf(key), `blob.${dtype}`)).equals(expected), key).toBe(true);
      }
    });

    it('reads values of every kind as numbers, infinities included', async () => {
      await client.open('f32', 'f32.f32', { dtype: 'float32' });
      expect(await client.add('f32', 0.1, Infinity, -Infinity, NaN, -0)).toBe(5);
      expect(await client.range('f32')).toEqual([float32Read(library, 0.1), Infinity, -Infinity, NaN, -0]);
      expect(await client.get('f32', 1)).toBe(Infinity);
      expect(await client.mget('f32', [2, 5])).toEqual([-Infinity, null]);
      expect(await client.incrBy('f32', 0, 1)).toBe(float32Read(library, 1.1));
      expect(await client.pop('f32')).toBe(-0);

      await client.open('u64', 'u64.u64', { dtype: 'uint64' });
      expect(await client.add('u64', 2n ** 64n - 1n, 7)).toBe(2);
      // Above 2^53 a number is the nearest double; getBlob reads such values exactly.
      expect(await client.range('u64')).toEqual([2 ** 64, 7]);
      expect(await client.getBlob('u64', 'uint64')).toEqual(new BigUint64Array([2n ** 64n - 1n, 7n]));
    });

    it('opens read-only keys and reports errors from the module', async () => {
      fs.writeFileSync(path.join(await target.dirOf('ro'), 'ro.f32'), Buffer.from(new Float32Array([0.5, 1.5]).buffer));
      expect(await client.open('ro', 'ro.f32', { dtype: 'f32', readonly: true })).toBe(2);
      expect((await client.info('ro'))?.mode).toBe('read-only');
      expect(await client.range('ro')).toEqual([0.5, 1.5]);
      expect(await errorOf(client.add('ro', 1))).toBe('ERR vector is read-only');
      expect(await errorOf(client.set('ro', [0], [1, 2]))).toBe('1 indices but 2 values');
    });

    it.runIf(library !== 'ioredis')(
      'decodes the same through a connection with a type mapping of its own',
      async () => {
        const remapped = target.remapped!;
        expect(await remapped.open('mapped', 'mapped.f64')).toBe(0);
        expect(await remapped.add('mapped', 0.5, -0, Infinity)).toBe(3);
        expect(await remapped.range('mapped')).toEqual([0.5, -0, Infinity]);
        expect(await remapped.mget('mapped', [0, 7])).toEqual([0.5, null]);
        expect(await remapped.get('mapped', 9)).toBeNull();
        expect(await remapped.incrBy('mapped', 0, 1)).toBe(1.5);
        expect(await remapped.count('mapped')).toBe(3);
        expect(await remapped.info('mapped')).toEqual(await client.info('mapped'));
        expect(await remapped.getBlob('mapped', 'float64')).toEqual(new Float64Array([1.5, -0, Infinity]));
        expect(await errorOf(remapped.incrBy('nothing', 0, 1))).toBe('ERR no such key');
      },
    );

    it("surfaces an error reply as the library's own error, with the server's message", async () => {
      const error = await client.incrBy('nothing', 0, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(library === 'ioredis' ? ReplyError : ErrorReply);
      expect((error as Error).message).toBe('ERR no such key');
      expect(await errorOf(client.open('bad', 'bad.f64', { dtype: 'complex' as 'f64' }))).toBe(
        "ERR unknown dtype 'complex' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N>)",
      );
      // The binary paths: a Buffer reply asked for, and a Buffer argument.
      expect(await errorOf(client.getBlob('v', 'float64', -1))).toBe('ERR start must not be negative');
      expect(await errorOf(client.addBlob('v', new Uint8Array(3)))).toBe(
        'ERR 3 bytes is not a whole number of float64 elements (8 bytes each)',
      );
    });
  });
});

describe('MmvecClient', () => {
  it('refuses anything that is not an ioredis or node-redis connection', () => {
    for (const [value, shown] of [
      [{}, 'type object'],
      [null, 'null'],
      ['redis://localhost', 'type string'],
    ] as const) {
      let error: (Error & { code?: string }) | undefined;
      try {
        new MmvecClient(value as never);
      } catch (e) {
        error = e as Error;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect(error?.code).toBe('ERR_INVALID_ARG_TYPE');
      expect(error?.message).toBe(
        `The "redis" argument must be an ioredis Redis or Cluster, or a node-redis client or cluster. Received ${shown}`,
      );
    }
  });

  it('asks node-redis for bulk strings as Buffers by their RESP type byte', () => {
    // The client hard-codes the byte (36, `$`) so that it never has to load node-redis.
    expect(RESP_TYPES.BLOB_STRING).toBe(36);
  });
});
