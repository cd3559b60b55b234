/**
 * Shared pieces of the multi-server suites: a byte-exact model of what a vector file must
 * hold after a stream of writes of every write command, comparisons of keys across
 * servers (values, wire bytes, file bytes), and small process/port utilities.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { expect } from 'vitest';
import type { ClassicDType as DType } from '../helpers/dtypes';
import { type TestServer, infoField, waitFor } from '../helpers/redis';

export type { DType };

export const ITEMSIZE: Record<DType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};
export const DTYPES = Object.keys(ITEMSIZE) as DType[];

const LIMITS: Partial<Record<DType, [string, string]>> = {
  int8: ['-128', '127'],
  uint8: ['0', '255'],
  int16: ['-32768', '32767'],
  uint16: ['0', '65535'],
  int32: ['-2147483648', '2147483647'],
  uint32: ['0', '4294967295'],
  int64: ['-9223372036854775808', '9223372036854775807'],
  uint64: ['0', '18446744073709551615'],
};

export const isFloat = (dtype: DType): boolean => dtype === 'float32' || dtype === 'float64';

/** One value as the little-endian bytes the file must hold. */
export function encode(dtype: DType, text: string): Buffer {
  const b = Buffer.alloc(ITEMSIZE[dtype]);
  switch (dtype) {
    case 'int8':
      b.writeInt8(Number(text));
      break;
    case 'uint8':
      b.writeUInt8(Number(text));
      break;
    case 'int16':
      b.writeInt16LE(Number(text));
      break;
    case 'uint16':
      b.writeUInt16LE(Number(text));
      break;
    case 'int32':
      b.writeInt32LE(Number(text));
      break;
    case 'uint32':
      b.writeUInt32LE(Number(text));
      break;
    case 'int64':
      b.writeBigInt64LE(BigInt(text));
      break;
    case 'uint64':
      b.writeBigUInt64LE(BigInt(text));
      break;
    case 'float32':
      b.writeFloatLE(Number(text));
      break;
    case 'float64':
      b.writeDoubleLE(Number(text));
      break;
  }
  return b;
}

function decode(dtype: DType, b: Buffer): number | bigint {
  switch (dtype) {
    case 'int8':
      return b.readInt8();
    case 'uint8':
      return b.readUInt8();
    case 'int16':
      return b.readInt16LE();
    case 'uint16':
      return b.readUInt16LE();
    case 'int32':
      return b.readInt32LE();
    case 'uint32':
      return b.readUInt32LE();
    case 'int64':
      return b.readBigInt64LE();
    case 'uint64':
      return b.readBigUInt64LE();
    case 'float32':
      return b.readFloatLE();
    case 'float64':
      return b.readDoubleLE();
  }
}

/** Deterministic pseudo-random bytes (xorshift32): blobs that differ per seed. */
export function noise(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** What a vector file must hold: the bytes, updated by the same operations as the server. */
export class Model {
  bytes = Buffer.alloc(0);
  constructor(readonly dtype: DType) {}
  get size(): number {
    return ITEMSIZE[this.dtype];
  }
  get count(): number {
    return this.bytes.length / this.size;
  }
  add(values: readonly string[]): void {
    this.addBlob(Buffer.concat(values.map((v) => encode(this.dtype, v))));
  }
  addBlob(blob: Buffer): void {
    this.bytes = Buffer.concat([this.bytes, blob]);
  }
  setBlob(start: number, blob: Buffer): void {
    const at = start * this.size;
    if (at + blob.length > this.bytes.length) {
      this.bytes = Buffer.concat([this.bytes, Buffer.alloc(at + blob.length - this.bytes.length)]);
    }
    blob.copy(this.bytes, at);
  }
  set(index: number, value: string): void {
    this.setBlob(index, encode(this.dtype, value));
  }
  incrBy(index: number, delta: string): void {
    const current = decode(this.dtype, this.bytes.subarray(index * this.size, (index + 1) * this.size));
    const sum = typeof current === 'bigint' ? String(current + BigInt(delta)) : String(current + Number(delta));
    this.set(index, sum);
  }
  pop(): void {
    this.bytes = this.bytes.subarray(0, this.bytes.length - this.size);
  }
  clear(): void {
    this.bytes = Buffer.alloc(0);
  }
}

/**
 * Runs a stream of EVERY write command on `key` (bound to `file`) and mirrors it in
 * `model`, checking each reply: MMVEC.OPEN (or the MMAP alias), ADD, SET with several
 * pairs, INCRBY, POP, ADDBLOB, SETBLOB (inside and growing past the end), CLEAR, a
 * MULTI/EXEC block and an EVAL script. With `aliases`, the seed names (MMAP, VADD, VSET, VPOP, VCLEAR) are
 * used where they exist. The vector ends non-empty unless `endEmpty`.
 */
export async function writeEverything(
  redis: Redis,
  key: string,
  file: string,
  model: Model,
  options: { aliases?: boolean; endEmpty?: boolean; seed?: number } = {},
): Promise<void> {
  const { dtype } = model;
  const seed = options.seed ?? 1;
  const cmd = (namespaced: string, alias: string) => (options.aliases ? alias : namespaced);
  const text = (reply: unknown) => (reply === null ? null : String(reply));

  expect(await redis.call(cmd('MMVEC.OPEN', 'MMAP'), key, file, 'TYPE', dtype), `${key}: OPEN`).toBe(model.count);

  const [min, max] = LIMITS[dtype] ?? ['-2.5', '1e30'];
  const adds = isFloat(dtype) ? ['0.1', '-0', '1e30', 'Infinity', '-2.5', '1.5'] : [min, max, '0', '1', '42', '3'];
  expect(await redis.call(cmd('MMVEC.ADD', 'VADD'), key, ...adds)).toBe(adds.length);
  model.add(adds);
  const base = model.count - adds.length;

  const pairs: [number, string][] = isFloat(dtype)
    ? [
        [base, '0.25'],
        [base + 2, '-1e-3'],
        [base + 4, '65504'],
      ]
    : [
        [base, '7'],
        [base + 2, '9'],
        [base + 4, '11'],
      ];
  expect(await redis.call(cmd('MMVEC.SET', 'VSET'), key, ...pairs.flat().map(String))).toBe(pairs.length);
  pairs.forEach(([i, v]) => model.set(i, v));

  const incr: [number, string][] = isFloat(dtype)
    ? [
        [base + 5, '2.25'],
        [base, '-0.5'],
      ]
    : [
        [base + 3, '5'],
        [base + 1, '-1'],
      ];
  for (const [i, delta] of incr) {
    await redis.call('MMVEC.INCRBY', key, String(i), delta);
    model.incrBy(i, delta);
  }

  expect(text(await redis.call(cmd('MMVEC.POP', 'VPOP'), key))).toBe(isFloat(dtype) ? '3.75' : '3');
  model.pop();

  const blob = noise(37 * model.size, seed);
  expect(await redis.call('MMVEC.ADDBLOB', key, blob)).toBe(37);
  model.addBlob(blob);

  // SETBLOB from two elements before the end, running three past it: the vector grows.
  const grow = noise(5 * model.size, seed + 1);
  const at = model.count - 2;
  expect(await redis.call('MMVEC.SETBLOB', key, String(at), grow)).toBe(5);
  model.setBlob(at, grow);
  const inside = noise(2 * model.size, seed + 2);
  expect(await redis.call('MMVEC.SETBLOB', key, '1', inside)).toBe(2);
  model.setBlob(1, inside);

  expect(await redis.call(cmd('MMVEC.CLEAR', 'VCLEAR'), key)).toBe(model.count);
  model.clear();

  // After the clear, a transaction: its effects travel inside MULTI/EXEC.
  const tail = noise(100 * model.size, seed + 3);
  const results = await redis
    .multi()
    .call(cmd('MMVEC.ADD', 'VADD'), key, '5', '6')
    .call('MMVEC.ADDBLOB', key, tail)
    .call(cmd('MMVEC.POP', 'VPOP'), key)
    .call(cmd('MMVEC.SET', 'VSET'), key, '1', '2', '50', '3')
    .call('MMVEC.INCRBY', key, '0', '1')
    .exec();
  expect(results?.map(([err]) => err)).toEqual([null, null, null, null, null]);
  model.add(['5', '6']);
  model.addBlob(tail);
  model.pop();
  model.set(1, '2');
  model.set(50, '3');
  model.incrBy(0, '1');

  // A script: its writes propagate as the same effects, wrapped in MULTI/EXEC.
  const script =
    "redis.call(ARGV[1], KEYS[1], ARGV[3], ARGV[4]); redis.call(ARGV[2], KEYS[1]); return redis.call('MMVEC.INCRBY', KEYS[1], '0', ARGV[5])";
  await redis.call('EVAL', script, '1', key, cmd('MMVEC.ADD', 'VADD'), cmd('MMVEC.POP', 'VPOP'), '8', '9', '1');
  model.add(['8', '9']);
  model.pop();
  model.incrBy(0, '1');

  if (options.endEmpty) {
    expect(await redis.call(cmd('MMVEC.CLEAR', 'VCLEAR'), key)).toBe(model.count);
    model.clear();
  }
}

/** A connection whose integer replies stay text, so 64-bit values compare exactly. */
export function exactClient(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', stringNumbers: true, maxRetriesPerRequest: 1 });
}

/** One `exactClient` per server, made on first use and added to `clients` (closed by the caller). */
export function exactClients(clients: Redis[]): (server: TestServer) => Redis {
  const made = new Map<TestServer, Redis>();
  return (server) => {
    let client = made.get(server);
    if (!client) {
      client = exactClient(server.port);
      made.set(server, client);
      clients.push(client);
    }
    return client;
  };
}

export async function blobOf(redis: Redis, key: string): Promise<Buffer> {
  return (await redis.callBuffer('MMVEC.GETBLOB', key, '0', '4000000000')) as Buffer;
}

export async function valuesOf(redis: Redis, key: string): Promise<string[]> {
  return ((await redis.call('MMVEC.RANGE', key, '0', '-1')) as unknown[]).map(String);
}

export async function infoOf(redis: Redis, key: string): Promise<Record<string, string>> {
  const reply = (await redis.call('MMVEC.INFO', key)) as unknown[];
  const info: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) info[String(reply[i])] = String(reply[i + 1]);
  return info;
}

export function fileOf(server: TestServer, file: string): Buffer {
  return fs.readFileSync(path.join(server.dir, file));
}

/** Leftovers of an interrupted or refused restore (`.<name>.mmvec-restore-<pid>`). */
export function restoreTemps(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.includes('.mmvec-restore-'));
}

/** The replica has applied everything the primary has sent. */
export async function caughtUp(primary: TestServer, replica: TestServer, replicas = 1): Promise<void> {
  // WAIT is refused on a replica (the upstream of a chained replica): offsets only.
  if (infoField(await primary.redis.info('replication'), 'role') === 'master') {
    expect(await primary.redis.call('WAIT', String(replicas), '5000')).toBe(replicas);
  }
  await waitFor('the replica offset to reach the primary offset', async () => {
    const want = infoField(await primary.redis.info('replication'), 'master_repl_offset');
    const have = infoField(await replica.redis.info('replication'), 'slave_repl_offset');
    return want !== undefined && want === have;
  });
}

export async function linkUp(replica: TestServer, ms = 15_000): Promise<void> {
  await waitFor(
    'the replica link',
    async () => infoField(await replica.redis.info('replication'), 'master_link_status') === 'up',
    ms,
  );
}

/** No fork child (BGSAVE, full-sync RDB) is alive on `server`. */
export async function noForkChild(server: TestServer): Promise<void> {
  await waitFor('no fork child', async () => {
    const info = await server.redis.info('persistence');
    return infoField(info, 'rdb_bgsave_in_progress') === '0' && infoField(info, 'aof_rewrite_in_progress') === '0';
  });
}

/** CRC-64/Jones (reflected, as Redis computes it over DUMP payloads). */
export function crc64(data: Buffer): bigint {
  const POLY = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 reflected
  let crc = 0n;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  }
  return crc;
}

/** A DUMP payload with `body` as its value and a valid Redis footer (version + CRC-64). */
export function withValidFooter(payload: Buffer, body: Buffer): Buffer {
  const version = payload.subarray(payload.length - 10, payload.length - 8);
  const unsigned = Buffer.concat([body, version]);
  const footer = Buffer.alloc(8);
  footer.writeBigUInt64LE(crc64(unsigned));
  return Buffer.concat([unsigned, footer]);
}

/** Redis Cluster's hash slot of a key without a hash tag: CRC-16/XMODEM mod 16384. */
export function keySlot(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
