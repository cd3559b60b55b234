/**
 * `MmvecClient`: typed calls to the mmvec Redis module over an `ioredis` connection,
 * a single `Redis` or a `Cluster` (every command names its key first, so it routes).
 */

import type { Cluster, Redis } from 'ioredis';
import { type ArrayOf, type DType, type DTypeAlias, typedArrayFor } from './dtypes.js';

export interface BindOptions {
  /** Element type (default `float64`). */
  dtype?: DType | DTypeAlias;
  /** Bind read-only: writes through this key are refused. */
  readonly?: boolean;
}

/** What `MMVEC.INFO` reports about a key. */
export interface VectorInfo {
  /** The path as it was given to `open`. */
  path: string;
  /** The absolute path of the file (empty while the file is unavailable). */
  file: string;
  dtype: DType;
  itemsize: number;
  count: number;
  bytes: number;
  mode: 'read-write' | 'read-only';
  /** `mapped`, or why the file could not be mapped (e.g. `backing file missing: …`). */
  backing: string;
}

type Value = number | bigint;
type Reply = string | number | null;

export class MmvecClient {
  constructor(readonly redis: Redis | Cluster) {}

  /** Binds `key` to the file at `path` (under the module's `DIR`); resolves to the count. */
  async open(key: string, path: string, options: BindOptions = {}): Promise<number> {
    const args = [key, path, 'TYPE', options.dtype ?? 'float64'];
    if (options.readonly) args.push('READONLY');
    return Number(await this.#call('MMVEC.OPEN', ...args));
  }

  /** The value at `index`, or `null` past the end or for a missing key. */
  async get(key: string, index: number): Promise<number | null> {
    return toNumber((await this.#call('MMVEC.GET', key, index)) as Reply);
  }

  async mget(key: string, indices: readonly number[]): Promise<(number | null)[]> {
    const replies = (await this.#call('MMVEC.MGET', key, ...indices)) as Reply[];
    return replies.map(toNumber);
  }

  /** Writes `values[k]` at `indices[k]`, all or nothing; resolves to the number written. */
  async set(key: string, indices: readonly number[], values: readonly Value[]): Promise<number> {
    if (indices.length !== values.length) {
      throw new RangeError(`${indices.length} indices but ${values.length} values`);
    }
    const pairs = indices.flatMap((index, k) => [index, String(values[k])]);
    return Number(await this.#call('MMVEC.SET', key, ...pairs));
  }

  /** Appends values; resolves to the number appended. */
  async add(key: string, ...values: Value[]): Promise<number> {
    return Number(await this.#call('MMVEC.ADD', key, ...values.map(String)));
  }

  async pop(key: string): Promise<number | null> {
    return toNumber((await this.#call('MMVEC.POP', key)) as Reply);
  }

  async count(key: string): Promise<number> {
    return Number(await this.#call('MMVEC.COUNT', key));
  }

  /** Empties the vector; resolves to the count it had. */
  async clear(key: string): Promise<number> {
    return Number(await this.#call('MMVEC.CLEAR', key));
  }

  /** Values from `start` to `stop` inclusive, `LRANGE` rules (negative from the end). */
  async range(key: string, start = 0, stop = -1): Promise<number[]> {
    const replies = (await this.#call('MMVEC.RANGE', key, start, stop)) as Reply[];
    return replies.map((reply) => Number(reply));
  }

  async incrBy(key: string, index: number, delta: Value): Promise<number> {
    return Number(await this.#call('MMVEC.INCRBY', key, index, String(delta)));
  }

  async info(key: string): Promise<VectorInfo | null> {
    const reply = (await this.#call('MMVEC.INFO', key)) as Reply[] | null;
    if (reply === null) return null;
    const fields = new Map<string, Reply>();
    for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
    return {
      path: String(fields.get('path')),
      file: String(fields.get('file')),
      dtype: String(fields.get('dtype')) as DType,
      itemsize: Number(fields.get('itemsize')),
      count: Number(fields.get('count')),
      bytes: Number(fields.get('bytes')),
      mode: String(fields.get('mode')) as VectorInfo['mode'],
      backing: String(fields.get('backing')),
    };
  }

  /** Flushes the key's file to disk now. */
  async sync(key: string): Promise<void> {
    await this.#call('MMVEC.SYNC', key);
  }

  /**
   * Up to `count` elements from `start` as a typed array of `dtype` (the key's type),
   * transferred as raw bytes: exact for 64-bit integers, and the fastest way to read.
   */
  async getBlob<D extends DType>(key: string, dtype: D, start = 0, count = Number.MAX_SAFE_INTEGER): Promise<ArrayOf<D> | null> {
    const bytes = (await this.redis.callBuffer('MMVEC.GETBLOB', key, start, count)) as Buffer | null;
    if (bytes === null) return null;
    // Copy into a fresh ArrayBuffer: a Buffer's offset need not be aligned for the type.
    const aligned = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return new (typedArrayFor(dtype))(aligned);
  }

  /** Overwrites elements from `start` (growing the vector if needed) with raw bytes. */
  async setBlob(key: string, start: number, values: ArrayBufferView): Promise<number> {
    return Number(await this.#call('MMVEC.SETBLOB', key, start, asBuffer(values)));
  }

  /** Appends a typed array as raw bytes with one command; resolves to the number added. */
  async addBlob(key: string, values: ArrayBufferView): Promise<number> {
    return Number(await this.#call('MMVEC.ADDBLOB', key, asBuffer(values)));
  }

  #call(command: string, ...args: (string | number | Buffer)[]): Promise<unknown> {
    return this.redis.call(command, ...args);
  }
}

function toNumber(reply: Reply): number | null {
  return reply === null ? null : Number(reply);
}

function asBuffer(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
