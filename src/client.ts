/**
 * `MmvecClient`: typed calls to the mmvec Redis module over an `ioredis` connection (a
 * single `Redis` or a `Cluster`) or a node-redis one (`createClient()` or
 * `createCluster()`). Every command names its key first, so it routes in a cluster.
 */

import type { ArrayOf, DType } from './dtypes.js';
import * as commands from './client/commands.js';
import type { BindOptions, Command, Value, VectorInfo } from './client/commands.js';
import { type RedisConnection, type Transport, transportFor } from './client/transport.js';

export type { BindOptions, VectorInfo } from './client/commands.js';
export type {
  RedisConnection,
  IoredisConnection,
  NodeRedisClientConnection,
  NodeRedisClusterConnection,
  NodeRedisCommandOptions,
} from './client/transport.js';

export class MmvecClient<C extends RedisConnection = RedisConnection> {
  readonly #transport: Transport;

  /** `redis` is connected already (node-redis: after `await client.connect()`). */
  constructor(readonly redis: C) {
    this.#transport = transportFor(redis);
  }

  /** Binds `key` to the file at `path` (under the module's `DIR`); resolves to the count. */
  open(key: string, path: string, options: BindOptions = {}): Promise<number> {
    return this.#run(commands.OPEN, key, path, options);
  }

  /** The value at `index`, or `null` past the end or for a missing key. */
  get(key: string, index: number): Promise<number | null> {
    return this.#run(commands.GET, key, index);
  }

  /**
   * The element at `index` as the bytes the module replies, or `null`: a `bytes<N>`
   * element (without trailing NULs), or a float80 element's exact text.
   */
  getBytes(key: string, index: number): Promise<Buffer | null> {
    return this.#run(commands.GET_BYTES, key, index);
  }

  mget(key: string, indices: readonly number[]): Promise<(number | null)[]> {
    return this.#run(commands.MGET, key, indices);
  }

  /** Writes `values[k]` at `indices[k]`, all or nothing; resolves to the number written. */
  set(key: string, indices: readonly number[], values: readonly Value[]): Promise<number> {
    return this.#run(commands.SET, key, indices, values);
  }

  /** Appends values; resolves to the number appended. */
  add(key: string, ...values: Value[]): Promise<number> {
    return this.#run(commands.ADD, key, values);
  }

  pop(key: string): Promise<number | null> {
    return this.#run(commands.POP, key);
  }

  count(key: string): Promise<number> {
    return this.#run(commands.COUNT, key);
  }

  /** Empties the vector; resolves to the count it had. */
  clear(key: string): Promise<number> {
    return this.#run(commands.CLEAR, key);
  }

  /** Values from `start` to `stop` inclusive, `LRANGE` rules (negative from the end). */
  range(key: string, start = 0, stop = -1): Promise<number[]> {
    return this.#run(commands.RANGE, key, start, stop);
  }

  /** `range` with every element as its bytes (see `getBytes`). */
  rangeBytes(key: string, start = 0, stop = -1): Promise<Buffer[]> {
    return this.#run(commands.RANGE_BYTES, key, start, stop);
  }

  incrBy(key: string, index: number, delta: Value): Promise<number> {
    return this.#run(commands.INCRBY, key, index, delta);
  }

  info(key: string): Promise<VectorInfo | null> {
    return this.#run(commands.INFO, key);
  }

  /** Flushes the key's file to disk now. */
  sync(key: string): Promise<void> {
    return this.#run(commands.SYNC, key);
  }

  /**
   * Up to `count` elements from `start` as a typed array of `dtype` (the key's type),
   * transferred as raw bytes: exact for 64-bit integers, and the fastest way to read.
   */
  getBlob<D extends DType>(
    key: string,
    dtype: D,
    start = 0,
    count = Number.MAX_SAFE_INTEGER,
  ): Promise<ArrayOf<D> | null> {
    return this.#run(commands.GETBLOB, key, dtype, start, count) as Promise<ArrayOf<D> | null>;
  }

  /** Overwrites elements from `start` (growing the vector if needed) with raw bytes. */
  setBlob(key: string, start: number, values: ArrayBufferView): Promise<number> {
    return this.#run(commands.SETBLOB, key, start, values);
  }

  /** Appends a typed array as raw bytes with one command; resolves to the number added. */
  addBlob(key: string, values: ArrayBufferView): Promise<number> {
    return this.#run(commands.ADDBLOB, key, values);
  }

  async #run<P extends unknown[], R>(command: Command<P, R>, key: string, ...params: P): Promise<R> {
    const args = command.encode(...params);
    const reply = await this.#transport.send(command.name, key, args, command);
    return command.decode(reply, ...params);
  }
}
