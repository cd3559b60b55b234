/**
 * Persistence of vector keys inside a real redis-server: RDB (DEBUG RELOAD, restart),
 * AOF (DEBUG LOADAOF, restart, BGREWRITEAOF with and without the RDB preamble), the AOF
 * tail replayed onto the live file (nothing applied twice), and keys whose file is
 * missing or unusable at load.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServerOptions, type TestServer, errorOf, startServer } from '../helpers/redis';

// ---------------------------------------------------------------------------------------
// Servers: every one started here is stopped (and its directory removed) in afterAll.

const started: TestServer[] = [];
const extraClients: Redis[] = [];

async function start(options: ServerOptions = {}): Promise<TestServer> {
  const server = await startServer(options);
  started.push(server);
  return server;
}

async function restart(server: TestServer, extraArgs: string[] = []): Promise<TestServer> {
  const next = await server.restart(extraArgs);
  started.push(next);
  return next;
}

afterAll(async () => {
  extraClients.forEach((c) => c.disconnect());
  for (const server of started) await server.stop('nosave');
  for (const dir of new Set(started.map((s) => s.dir))) fs.rmSync(dir, { recursive: true, force: true });
});

/** A connection whose integer replies stay text, so 64-bit values compare exactly. */
function exact(server: TestServer): Redis {
  const client = new Redis({ port: server.port, host: '127.0.0.1', stringNumbers: true, maxRetriesPerRequest: 1 });
  extraClients.push(client);
  return client;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** BGREWRITEAOF, then poll INFO persistence until the rewrite has finished. */
async function rewriteAof(redis: Redis): Promise<void> {
  await waitFor(
    'no rewrite in progress',
    async () => infoField(await redis.info('persistence'), 'aof_rewrite_in_progress') === '0',
  );
  await redis.call('BGREWRITEAOF');
  await waitFor('the AOF rewrite', async () => {
    const info = await redis.info('persistence');
    return infoField(info, 'aof_rewrite_in_progress') === '0' && infoField(info, 'aof_rewrite_scheduled') === '0';
  });
  expect(infoField(await redis.info('persistence'), 'aof_last_bgrewrite_status')).toBe('ok');
}

/** How many times the server's log says it loaded the append only file. */
function aofLoads(server: TestServer): number {
  return server
    .log()
    .split('\n')
    .filter((l) => l.includes('DB loaded from append only file')).length;
}

function infoField(info: string, field: string): string | undefined {
  const line = info.split('\r\n').find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1);
}

// ---------------------------------------------------------------------------------------
// Values of every dtype, as text for the commands and as the bytes they must become.

type DType =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'float80'
  | 'bytes8';

const SAMPLES: Record<DType, string[]> = {
  int8: ['-128', '127', '0', '-1', '42'],
  uint8: ['0', '255', '7'],
  int16: ['-32768', '32767', '-2'],
  uint16: ['0', '65535', '513'],
  int32: ['-2147483648', '2147483647', '123456'],
  uint32: ['0', '4294967295', '16777217'],
  int64: ['-9223372036854775808', '9223372036854775807', '1', '-9007199254740993'],
  uint64: ['0', '18446744073709551615', '9007199254740993'],
  float32: ['0.1', '-2.5', '3.4028234663852886e38', '1.401298464324817e-45'],
  float64: ['0.1', '-1e308', '5e-324', '0.3333333333333333', '1.7976931348623157e308'],
  // The wider types' samples are in the text the module prints, so they come back as sent.
  float16: ['0.1', '-2.5', '65500', '6e-8'],
  bfloat16: ['0.1', '-2.5', '1e38'],
  float80: ['0.1', '-1e4000', '1.189731495357231765e4932', '0.33333333333333333334'],
  bytes8: ['a', '', 'abcd e f', 'x y'],
};

/** The bytes of the wider types' samples, from numpy (float16, longdouble) and ml_dtypes (bfloat16). */
const ELEMENT_HEX: Partial<Record<DType, Record<string, string>>> = {
  float16: { '0.1': '662e', '-2.5': '00c1', '65500': 'ff7b', '6e-8': '0100' },
  bfloat16: { '0.1': 'cd3d', '-2.5': '20c0', '1e38': '967e' },
  float80: {
    '0.1': 'cdccccccccccccccfb3f000000000000',
    '-1e4000': '618c55fe2383bad1e6f3000000000000',
    '1.189731495357231765e4932': 'fffffffffffffffffe7f000000000000',
    '0.33333333333333333334': 'abaaaaaaaaaaaaaafd3f000000000000',
  },
};
const DTYPES = Object.keys(SAMPLES) as DType[];

function encode(dtype: DType, values: readonly string[]): Buffer {
  if (dtype === 'bytes8') {
    return Buffer.concat(values.map((v) => Buffer.concat([Buffer.from(v), Buffer.alloc(8 - v.length)])));
  }
  const hex = ELEMENT_HEX[dtype];
  if (hex) return Buffer.concat(values.map((v) => Buffer.from(hex[v]!, 'hex')));
  const array = (() => {
    switch (dtype) {
      case 'int8':
        return Int8Array.from(values, Number);
      case 'uint8':
        return Uint8Array.from(values, Number);
      case 'int16':
        return Int16Array.from(values, Number);
      case 'uint16':
        return Uint16Array.from(values, Number);
      case 'int32':
        return Int32Array.from(values, Number);
      case 'uint32':
        return Uint32Array.from(values, Number);
      case 'int64':
        return BigInt64Array.from(values, BigInt);
      case 'uint64':
        return BigUint64Array.from(values, BigInt);
      case 'float32':
        return Float32Array.from(values, Number);
      default:
        return Float64Array.from(values, Number);
    }
  })();
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

// ---------------------------------------------------------------------------------------
// What a key looks like from outside: MMVEC.INFO, its values as text, its bytes over the
// wire and on disk. Two snapshots are equal iff the key was reproduced exactly.

interface KeyState {
  info: Record<string, string>;
  values: string[];
  blob: Buffer;
  file: Buffer;
}

async function infoOf(redis: Redis, key: string): Promise<Record<string, string>> {
  const reply = (await redis.call('MMVEC.INFO', key)) as (string | number)[] | null;
  expect(reply, `MMVEC.INFO ${key}`).not.toBeNull();
  const info: Record<string, string> = {};
  for (let i = 0; i + 1 < reply!.length; i += 2) info[String(reply![i])] = String(reply![i + 1]);
  return info;
}

async function stateOf(server: TestServer, client: Redis, key: string): Promise<KeyState> {
  const info = await infoOf(client, key);
  const values = ((await client.call('MMVEC.RANGE', key, '0', '-1')) as (string | number)[]).map(String);
  const blob = (await client.callBuffer('MMVEC.GETBLOB', key, '0', '1000000000')) as Buffer;
  const file = fs.readFileSync(path.resolve(server.dir, info.path!));
  return { info, values, blob, file };
}

async function statesOf(server: TestServer, keys: readonly string[]): Promise<Record<string, KeyState>> {
  const client = exact(server);
  const states: Record<string, KeyState> = {};
  for (const key of keys) states[key] = await stateOf(server, client, key);
  client.disconnect();
  return states;
}

/**
 * For every dtype: a read-write key filled through VADD, and a READONLY key over a file
 * written beforehand. Returns the keys.
 */
async function bindEveryDtype(server: TestServer): Promise<string[]> {
  const keys: string[] = [];
  for (const dtype of DTYPES) {
    const rw = `rw:${dtype}`;
    expect(await server.redis.call('MMVEC.OPEN', rw, `${dtype}.bin`, 'TYPE', dtype)).toBe(0);
    expect(await server.redis.call('MMVEC.ADD', rw, ...SAMPLES[dtype])).toBe(SAMPLES[dtype].length);
    const ro = `ro:${dtype}`;
    const reversed = [...SAMPLES[dtype]].reverse();
    fs.writeFileSync(path.join(server.dir, `ro-${dtype}.bin`), encode(dtype, reversed));
    expect(await server.redis.call('MMVEC.OPEN', ro, `ro-${dtype}.bin`, 'TYPE', dtype, 'READONLY')).toBe(
      reversed.length,
    );
    keys.push(rw, ro);
  }
  return keys;
}

function expectEveryDtype(states: Record<string, KeyState>): void {
  for (const dtype of DTYPES) {
    const rw = states[`rw:${dtype}`]!;
    expect(rw.info).toMatchObject({
      path: `${dtype}.bin`,
      dtype,
      count: String(SAMPLES[dtype].length),
      mode: 'read-write',
      backing: 'mapped',
    });
    expect(rw.file.equals(encode(dtype, SAMPLES[dtype])), `${dtype}.bin bytes`).toBe(true);
    expect(rw.blob.equals(rw.file)).toBe(true);
    const ro = states[`ro:${dtype}`]!;
    expect(ro.info).toMatchObject({ path: `ro-${dtype}.bin`, dtype, mode: 'read-only', backing: 'mapped' });
    expect(ro.values).toEqual([...rw.values].reverse());
  }
  // Integers, byte strings and the wider floats' shortest texts come back exactly as written.
  for (const dtype of DTYPES.filter((d) => d !== 'float32' && d !== 'float64')) {
    expect(states[`rw:${dtype}`]!.values).toEqual(SAMPLES[dtype]);
  }
  // Floats come back as text that parses to the very same value.
  expect(states['rw:float64']!.values.map(Number)).toEqual(SAMPLES.float64.map(Number));
  // float32 as the shortest text that reads back as the same float32.
  expect(states['rw:float32']!.values.map((v) => Math.fround(Number(v)))).toEqual(
    SAMPLES.float32.map((v) => Math.fround(Number(v))),
  );
}

// ---------------------------------------------------------------------------------------

describe('RDB', () => {
  it('DEBUG RELOAD rebinds every key exactly: path, dtype, mode, count, values, bytes; READONLY stays read-only', async () => {
    const server = await start();
    const keys = await bindEveryDtype(server);
    const before = await statesOf(server, keys);
    expectEveryDtype(before);

    expect(await server.redis.call('DEBUG', 'RELOAD')).toBe('OK');
    const after = await statesOf(server, keys);
    expect(after).toEqual(before);
    expect(await server.redis.dbsize()).toBe(keys.length);

    // Still writable (the lock was released and taken again), still read-only where it was.
    expect(await server.redis.call('MMVEC.ADD', 'rw:int8', '5')).toBe(1);
    expect(await errorOf(server.redis.call('MMVEC.ADD', 'ro:int8', '5'))).toMatch(/^ERR .*read-only/i);
    expect(await server.redis.call('MMVEC.COUNT', 'ro:int8')).toBe(SAMPLES.int8.length);
  });

  it('a restart (SHUTDOWN SAVE) reproduces every key exactly, and the reloaded keys keep working', async () => {
    const first = await start();
    const keys = await bindEveryDtype(first);
    const before = await statesOf(first, keys);
    expectEveryDtype(before);

    const second = await restart(first);
    expect(second.log()).not.toMatch(/panicked|crashed/i);
    const after = await statesOf(second, keys);
    expect(after).toEqual(before);
    expect(await second.redis.call('TYPE', 'rw:float64')).toBe('mmvec-vec');

    expect(await second.redis.call('MMVEC.ADD', 'rw:float64', '2.5')).toBe(1);
    expect(await second.redis.call('MMVEC.POP', 'rw:float64')).toBe('2.5');
    expect((await statesOf(second, ['rw:float64']))['rw:float64']).toEqual(before['rw:float64']);
  });
});

describe('AOF', () => {
  it('DEBUG LOADAOF with the default RDB preamble, before and after BGREWRITEAOF', async () => {
    const server = await start({ args: ['--appendonly', 'yes'] });
    const keys = await bindEveryDtype(server);
    const before = await statesOf(server, keys);
    expectEveryDtype(before);

    // Everything is in the incr file (effects on top of an empty base).
    expect(await server.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await statesOf(server, keys)).toEqual(before);

    // The base now is an RDB holding the bindings; the incr file is empty.
    await rewriteAof(server.redis);
    expect(fs.readdirSync(path.join(server.dir, 'appendonlydir')).some((f) => f.endsWith('.base.rdb'))).toBe(true);
    expect(await server.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await statesOf(server, keys)).toEqual(before);
  });

  it('DEBUG LOADAOF with --aof-use-rdb-preamble no: the rewrite emits MMVEC.BIND for every key and reloads exactly', async () => {
    const server = await start({ args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'] });
    const keys = await bindEveryDtype(server);
    const before = await statesOf(server, keys);
    expectEveryDtype(before);

    await rewriteAof(server.redis);
    const base = aofCommands(server.dir, '.base.aof');
    // MMVEC.BIND key path dtype readonly count create format: a non-empty file is not created.
    const binds = base.filter((c) => c[0] === 'MMVEC.BIND').map((c) => c.join(' '));
    expect(binds.sort()).toEqual(
      DTYPES.flatMap((d) => [
        `MMVEC.BIND rw:${d} ${d}.bin ${d} 0 ${before[`rw:${d}`]!.values.length} 0 raw`,
        `MMVEC.BIND ro:${d} ro-${d}.bin ${d} 1 ${before[`ro:${d}`]!.values.length} 0 raw`,
      ]).sort(),
    );
    // Only the bindings: the files own the data.
    expect(new Set(base.map((c) => c[0]))).toEqual(new Set(['SELECT', 'MMVEC.BIND']));

    expect(await server.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await statesOf(server, keys)).toEqual(before);

    // Writes after the rewrite go to the incr file as effects and reload too.
    expect(await server.redis.call('MMVEC.ADD', 'rw:int16', '9', '10')).toBe(2);
    expect(await server.redis.call('MMVEC.POP', 'rw:int16')).toBe(10);
    const grown = await statesOf(server, ['rw:int16']);
    expect(await server.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await statesOf(server, ['rw:int16'])).toEqual(grown);
    expect(grown['rw:int16']!.values).toEqual([...SAMPLES.int16, '9']);
  });
});

// ---------------------------------------------------------------------------------------
// THE replay test: a stream of writes of every kind, then the AOF replayed onto the live
// file that already holds them.

const BLOB = {
  f64: encode('float64', ['8.5', '9.5']),
  i64: encode('int64', ['3', '4']),
  f32: encode('float32', ['0.5', '0.25', '0.125']),
};

/** The stream's first half. */
async function writeStreamPartOne(redis: Redis): Promise<void> {
  const r = (...args: (string | Buffer)[]) => redis.call(args[0] as string, ...args.slice(1));
  expect(await r('MMVEC.OPEN', 'a', 'a.bin', 'TYPE', 'float64')).toBe(0);
  expect(await r('MMVEC.OPEN', 'b', 'b.bin', 'TYPE', 'int16')).toBe(0);
  expect(await r('VADD', 'a', '1.5', '2.5', '3.5')).toBe(3);
  expect(await r('MMVEC.ADD', 'b', '10', '20', '30', '40')).toBe(4);
  expect(await r('MMAP', 'c', 'c.bin', 'TYPE', 'int64')).toBe(0);
  expect(await r('VADD', 'c', '9223372036854775807', '-1')).toBe(2);
  expect(await r('VPOP', 'a')).toBe('3.5');
  expect(await r('MMVEC.POP', 'a')).toBe('2.5'); // below the first append's end
  expect(await r('VADD', 'a', '4.25')).toBe(1); // and appended again
  expect(await r('VSET', 'b', '0', '-5', '3', '7')).toBe(2);
  expect(await r('MMVEC.INCRBY', 'b', '1', '100')).toBe(120);
  expect(await r('VCLEAR', 'b')).toBe(4);
  expect(await r('VADD', 'b', '1', '2')).toBe(2);
  expect(await r('MMVEC.SETBLOB', 'a', '1', BLOB.f64)).toBe(2); // overwrites and grows
  expect(await r('MMVEC.ADDBLOB', 'c', BLOB.i64)).toBe(2);
}

/** The stream's second half. */
async function writeStreamPartTwo(redis: Redis): Promise<void> {
  const r = (...args: (string | Buffer)[]) => redis.call(args[0] as string, ...args.slice(1));
  // The reply (-2^63) is checked exactly in the final state: ioredis parses big integers lossily.
  expect(typeof (await r('MMVEC.INCRBY', 'c', '1', '-9223372036854775807'))).toBe('number');
  expect(await r('MMVEC.OPEN', 'd', 'd.bin', 'TYPE', 'float32')).toBe(0);
  expect(await r('MMVEC.ADDBLOB', 'd', BLOB.f32)).toBe(3);
  expect(await r('VPOP', 'd')).toBe('0.125');
  expect(await r('VPOP', 'd')).toBe('0.25');
  expect(await r('VPOP', 'd')).toBe('0.5');
  expect(await r('VPOP', 'd')).toBeNull();
  expect(await r('MMVEC.ADD', 'd', '7.75')).toBe(1);
  const tx = await redis
    .multi()
    .call('VADD', 'a', '10.5')
    .call('VPOP', 'b')
    .call('MMVEC.INCRBY', 'a', '0', '0.5')
    .call('MMVEC.ADD', 'd', '-1')
    .exec();
  expect(tx).toEqual([
    [null, 1],
    [null, 2],
    [null, '2'],
    [null, 1],
  ]);
  expect(await r('MMVEC.OPEN', 'e', 'e.bin', 'TYPE', 'uint8')).toBe(0);
  expect(await r('VADD', 'e', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10')).toBe(10);
  expect(await r('VPOP', 'e')).toBe(10);
  expect(await r('VPOP', 'e')).toBe(9);
  expect(await r('VPOP', 'e')).toBe(8);
  expect(await r('VADD', 'e', '200')).toBe(1);
  expect(await r('VSET', 'e', '0', '255')).toBe(1);
  expect(await r('MMVEC.INCRBY', 'e', '1', '-2')).toBe(0);
  expect(await r('VCLEAR', 'b')).toBe(1);
  expect(await r('VCLEAR', 'b')).toBe(0); // already empty: nothing to propagate
  expect(await r('VADD', 'b', '-7', '8', '9')).toBe(3);
  expect(await r('VPOP', 'b')).toBe(9);
  // A key dropped and bound again to the same (live) file.
  expect(await r('MMVEC.OPEN', 'f', 'f.bin', 'TYPE', 'int32')).toBe(0);
  expect(await r('VADD', 'f', '1', '2', '3')).toBe(3);
  expect(await r('DEL', 'f')).toBe(1);
  expect(await r('MMVEC.OPEN', 'f', 'f.bin', 'TYPE', 'int32')).toBe(3);
  expect(await r('VPOP', 'f')).toBe(3);
  expect(await r('MMVEC.ADD', 'f', '30', '40')).toBe(2);
}

const STREAM_KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];

/** What the stream leaves behind. */
const STREAM_RESULT: Record<string, { dtype: DType; values: string[] }> = {
  a: { dtype: 'float64', values: ['2', '8.5', '9.5', '10.5'] },
  b: { dtype: 'int16', values: ['-7', '8'] },
  c: { dtype: 'int64', values: ['9223372036854775807', '-9223372036854775808', '3', '4'] },
  d: { dtype: 'float32', values: ['7.75', '-1'] },
  e: { dtype: 'uint8', values: ['255', '0', '3', '4', '5', '6', '7', '200'] },
  f: { dtype: 'int32', values: ['1', '2', '30', '40'] },
};

function expectStreamResult(states: Record<string, KeyState>): void {
  for (const [key, { dtype, values }] of Object.entries(STREAM_RESULT)) {
    const state = states[key]!;
    expect(state.info, key).toMatchObject({
      dtype,
      count: String(values.length),
      mode: 'read-write',
      backing: 'mapped',
    });
    expect(state.values.map(Number), key).toEqual(values.map(Number));
    expect(state.file.equals(encode(dtype, values)), `${key} file bytes`).toBe(true);
    expect(state.blob.equals(state.file), `${key} blob`).toBe(true);
  }
  expect(states.c!.values).toEqual(STREAM_RESULT.c!.values);
}

describe('the AOF tail replayed onto the live file', () => {
  it('a restart with --appendonly yes after a stream of every kind of write: nothing applied twice', async () => {
    // appendfsync always: with everysec, Redis may postpone writing the AOF buffer while a
    // background fsync runs, and the file read below would miss the latest writes.
    const first = await start({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    await writeStreamPartOne(first.redis);
    await writeStreamPartTwo(first.redis);
    const before = await statesOf(first, STREAM_KEYS);
    expectStreamResult(before);
    // Nothing was rewritten: the whole history is in the incr file, as effects.
    const names = new Set(aofCommands(first.dir, '.incr.aof').map((c) => c[0]));
    expect(names).toEqual(
      new Set([
        'SELECT',
        'MMVEC.BIND',
        'MMVEC.SPLICE',
        'MMVEC.PUTAT',
        'MMVEC.PUTTEXT',
        'MMVEC.SETLEN',
        'MULTI',
        'EXEC',
        'DEL',
      ]),
    );

    const loadsBefore = aofLoads(first);
    const second = await restart(first);
    expect(aofLoads(second)).toBe(loadsBefore + 1); // the AOF was replayed, not dump.rdb
    expect(await statesOf(second, STREAM_KEYS)).toEqual(before);

    expect(await second.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await statesOf(second, STREAM_KEYS)).toEqual(before);

    // Twice more, for good measure: replay is idempotent.
    const third = await restart(second);
    expect(await statesOf(third, STREAM_KEYS)).toEqual(before);
    expect(await third.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await statesOf(third, STREAM_KEYS)).toEqual(before);

    // And the vectors keep working after the replay.
    expect(await third.redis.call('VADD', 'a', '11')).toBe(1);
    expect(await third.redis.call('MMVEC.COUNT', 'a')).toBe(5);
  });

  it.each([
    ['the default RDB preamble', []],
    ['--aof-use-rdb-preamble no', ['--aof-use-rdb-preamble', 'no']],
  ])('a restart where the AOF holds history after a BGREWRITEAOF (%s)', async (_name, args) => {
    const first = await start({ args: ['--appendonly', 'yes', '--appendfsync', 'always', ...args] });
    await writeStreamPartOne(first.redis);
    await rewriteAof(first.redis);
    await writeStreamPartTwo(first.redis);
    const before = await statesOf(first, STREAM_KEYS);
    expectStreamResult(before);
    expect(aofCommands(first.dir, '.incr.aof').length).toBeGreaterThan(10);

    const second = await restart(first);
    expect(await statesOf(second, STREAM_KEYS)).toEqual(before);
    expect(await second.redis.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await statesOf(second, STREAM_KEYS)).toEqual(before);

    // Rewrite again with everything in, restart again.
    await rewriteAof(second.redis);
    const third = await restart(second);
    expect(await statesOf(third, STREAM_KEYS)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------

describe('MMVEC.PUTTEXT in the AOF (the effect of MMVEC.SET)', () => {
  it('a write past the end extends with zeros; a value the dtype refuses is logged and changes nothing', async () => {
    const args = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'];
    const first = await start({ args });
    expect(await first.redis.call('MMVEC.OPEN', 't', 't.i16', 'TYPE', 'int16')).toBe(0);
    await first.stop('nosave');
    const aofDir = path.join(first.dir, 'appendonlydir');
    const incr = fs.readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!;
    const resp = (...words: string[]) => `*${words.length}\r\n${words.map((w) => `$${w.length}\r\n${w}\r\n`).join('')}`;
    fs.appendFileSync(
      path.join(aofDir, incr),
      resp('MMVEC.PUTTEXT', 't', '2', '7', '0', '-3') + resp('MMVEC.PUTTEXT', 't', '1', '5', '0', 'abc'),
    );
    const second = await restart(first);
    expect(await second.redis.call('MMVEC.RANGE', 't', '0', '-1')).toEqual([-3, 0, 7]);
    expect(fs.readFileSync(path.join(second.dir, 't.i16'))).toEqual(Buffer.from(Int16Array.of(-3, 0, 7).buffer));
    expect(second.log()).toContain("ERR value 'abc' is not valid for int16: not an integer");
  });
});

describe('a backing file missing or unusable at load', () => {
  // BUG: a read-write key's file is re-created empty at load (VectorKey::open maps with
  // mode `a`), so the key silently answers an empty vector instead of the error.
  it('a read-write key whose file was deleted while the server was down answers "backing file missing"', async () => {
    const first = await start();
    expect(await first.redis.call('MMVEC.OPEN', 'gone', 'gone.bin', 'TYPE', 'int32')).toBe(0);
    expect(await first.redis.call('MMVEC.ADD', 'gone', '1', '2', '3')).toBe(3);
    await first.stop('save');
    fs.rmSync(path.join(first.dir, 'gone.bin'));

    const second = await restart(first);
    await expectMissing(second, 'gone', 'gone.bin', 'int32', 3);

    fs.writeFileSync(path.join(second.dir, 'gone.bin'), encode('int32', ['7', '8']));
    expect(await second.redis.call('MMVEC.OPEN', 'gone', 'gone.bin', 'TYPE', 'int32')).toBe(2);
    expect(await second.redis.call('MMVEC.ADD', 'gone', '9')).toBe(1);
    expect(await second.redis.call('MMVEC.RANGE', 'gone', '0', '-1')).toEqual([7, 8, 9]);
    expect(await infoOf(second.redis, 'gone')).toMatchObject({ backing: 'mapped', count: '3', mode: 'read-write' });
  });

  it('a READONLY key whose file was deleted answers "backing file missing"; putting the file back and MMVEC.OPEN revives it', async () => {
    const first = await start();
    fs.writeFileSync(path.join(first.dir, 'ro.bin'), encode('int32', ['1', '2', '3']));
    expect(await first.redis.call('MMVEC.OPEN', 'ro', 'ro.bin', 'TYPE', 'int32', 'READONLY')).toBe(3);
    await first.stop('save');
    fs.rmSync(path.join(first.dir, 'ro.bin'));

    const second = await restart(first);
    await expectMissing(second, 'ro', 'ro.bin', 'int32', 3);

    fs.writeFileSync(path.join(second.dir, 'ro.bin'), encode('int32', ['1', '2', '3', '4']));
    expect(await second.redis.call('MMVEC.OPEN', 'ro', 'ro.bin', 'TYPE', 'int32', 'READONLY')).toBe(4);
    expect(await second.redis.call('MMVEC.RANGE', 'ro', '0', '-1')).toEqual([1, 2, 3, 4]);
    expect(await infoOf(second.redis, 'ro')).toMatchObject({ backing: 'mapped', count: '4', mode: 'read-only' });
  });

  // BUG (same cause): after an AOF rewrite the base holds only the binding; a missing file
  // is re-created and the tail's effects leave zeros counted as values.
  it('with an AOF (rewritten, then written to) a deleted file is not silently re-created at load', async () => {
    const first = await start({ args: ['--appendonly', 'yes'] });
    expect(await first.redis.call('MMVEC.OPEN', 'v', 'v.bin')).toBe(0);
    expect(await first.redis.call('MMVEC.ADD', 'v', '1.5', '2.5')).toBe(2);
    await rewriteAof(first.redis);
    expect(await first.redis.call('MMVEC.ADD', 'v', '3.5')).toBe(1);
    await first.stop('save');
    fs.rmSync(path.join(first.dir, 'v.bin'));

    const second = await restart(first);
    // Observed: VALL v is [0, 0, 3.5] and v.bin exists again with 24 bytes.
    expect(await errorOf(second.redis.call('MMVEC.RANGE', 'v', '0', '-1'))).toBe('ERR backing file missing: v.bin');
  });

  it('a file whose size is not a multiple of the item size answers an error, and the server keeps serving', async () => {
    const first = await start();
    expect(await first.redis.call('MMVEC.OPEN', 'odd', 'odd.bin', 'TYPE', 'float64')).toBe(0);
    expect(await first.redis.call('MMVEC.ADD', 'odd', '1', '2')).toBe(2);
    expect(await first.redis.call('MMVEC.OPEN', 'fine', 'fine.bin', 'TYPE', 'int8')).toBe(0);
    expect(await first.redis.call('MMVEC.ADD', 'fine', '1')).toBe(1);
    await first.stop('save');
    fs.appendFileSync(path.join(first.dir, 'odd.bin'), Buffer.from([1, 2, 3])); // 19 bytes

    const second = await restart(first);
    const redis = second.redis;
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.exists('odd')).toBe(1);
    const error = await errorOf(redis.call('MMVEC.GET', 'odd', '0'));
    expect(error).toMatch(/^ERR backing file unusable: .*19.*float64/);
    expect(await errorOf(redis.call('MMVEC.ADD', 'odd', '3'))).toBe(error);
    expect(await errorOf(redis.call('MMVEC.COUNT', 'odd'))).toBe(error);
    expect((await infoOf(redis, 'odd')).backing).toBe(error!.slice('ERR '.length));
    // Nothing was truncated.
    expect(fs.statSync(path.join(second.dir, 'odd.bin')).size).toBe(19);
    // The other key is fine.
    expect(await redis.call('MMVEC.RANGE', 'fine', '0', '-1')).toEqual([1]);
    expect(await redis.ping()).toBe('PONG');
  });
});

async function expectMissing(
  server: TestServer,
  key: string,
  file: string,
  dtype: DType,
  count: number,
): Promise<void> {
  const redis = server.redis;
  const missing = `ERR backing file missing: ${file}`;
  expect(await redis.ping()).toBe('PONG');
  expect(await redis.exists(key)).toBe(1);
  expect(await redis.call('TYPE', key)).toBe('mmvec-vec');
  expect(await errorOf(redis.call('MMVEC.GET', key, '0'))).toBe(missing);
  expect(await errorOf(redis.call('VGET', key, '0'))).toBe(missing);
  expect(await errorOf(redis.call('MMVEC.RANGE', key, '0', '-1'))).toBe(missing);
  expect(await errorOf(redis.call('MMVEC.COUNT', key))).toBe(missing);
  expect(await errorOf(redis.call('MMVEC.GETBLOB', key, '0', '10'))).toBe(missing);
  expect(await errorOf(redis.call('MMVEC.ADD', key, '1'))).toBe(missing);
  expect(await infoOf(redis, key)).toMatchObject({
    path: file,
    dtype,
    count: String(count),
    backing: `backing file missing: ${file}`,
  });
  // Nothing re-created the file behind the error.
  expect(fs.existsSync(path.join(server.dir, file))).toBe(false);
  expect(await redis.ping()).toBe('PONG');
  expect(server.log()).not.toMatch(/crashed by signal|panicked/);
}

describe('DEL', () => {
  it('unmaps the key and leaves the file; binding it again gets the values back', async () => {
    const server = await start();
    const redis = server.redis;
    expect(await redis.call('MMVEC.OPEN', 'k', 'k.bin', 'TYPE', 'int64')).toBe(0);
    expect(await redis.call('MMVEC.ADD', 'k', '5', '-6', '7')).toBe(3);
    const bytes = fs.readFileSync(path.join(server.dir, 'k.bin'));
    expect(bytes.equals(encode('int64', ['5', '-6', '7']))).toBe(true);

    expect(await redis.del('k')).toBe(1);
    expect(await redis.exists('k')).toBe(0);
    expect(await redis.call('MMVEC.COUNT', 'k')).toBe(0);
    expect(fs.readFileSync(path.join(server.dir, 'k.bin')).equals(bytes)).toBe(true);

    expect(await redis.call('MMAP', 'k2', 'k.bin', 'TYPE', 'int64')).toBe(3);
    expect(await redis.call('MMVEC.RANGE', 'k2', '0', '-1')).toEqual([5, -6, 7]);
    expect(await redis.call('MMVEC.ADD', 'k2', '8')).toBe(1); // read-write again: the lock was released
    expect(fs.statSync(path.join(server.dir, 'k.bin')).size).toBe(32);
  });
});

// ---------------------------------------------------------------------------------------
// The AOF as written: every command of the files whose name ends with `suffix`.

function aofCommands(dir: string, suffix: string): string[][] {
  const aofDir = path.join(dir, 'appendonlydir');
  const commands: string[][] = [];
  for (const name of fs
    .readdirSync(aofDir)
    .filter((f) => f.endsWith(suffix))
    .sort()) {
    for (const command of parseResp(fs.readFileSync(path.join(aofDir, name)))) {
      commands.push(command.map((arg, i) => (i === 0 ? arg.toString('latin1').toUpperCase() : arg.toString('latin1'))));
    }
  }
  return commands;
}

function parseResp(data: Buffer): Buffer[][] {
  const commands: Buffer[][] = [];
  let at = 0;
  const line = (): string => {
    const end = data.indexOf('\r\n', at);
    if (end < 0) throw new Error(`truncated AOF at ${at}`);
    const text = data.toString('latin1', at, end);
    at = end + 2;
    return text;
  };
  while (at < data.length) {
    const header = line();
    if (!header.startsWith('*')) throw new Error(`unexpected AOF line '${header}'`);
    const args: Buffer[] = [];
    for (let n = Number(header.slice(1)); n > 0; n--) {
      const size = Number(line().slice(1));
      args.push(data.subarray(at, at + size));
      at += size + 2;
    }
    commands.push(args);
  }
  return commands;
}
