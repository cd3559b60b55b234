/**
 * Group commit of appends (`mmvec.fsync everysec`, the default, and `no`): the appends of
 * one event-loop iteration are held and written together before any of their replies
 * is sent, and before anything else touches the vector. Observed from outside: the file
 * once replies arrive, the file after `kill -9`, and what every other command sees.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { type TestServer, infoField, startServer, waitFor } from '../helpers/redis';

const servers: TestServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.stop('nosave');
  for (const server of servers) fs.rmSync(server.dir, { recursive: true, force: true });
});

async function start(args: string[] = []): Promise<TestServer> {
  const server = await startServer({ args });
  servers.push(server);
  return server;
}

/** The float64 values in a file. */
function valuesIn(file: string): number[] {
  const bytes = fs.readFileSync(file);
  return Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8));
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

async function pipelinedAdds(client: Redis, key: string, values: number[]): Promise<unknown[]> {
  const pipeline = client.pipeline();
  for (const value of values) pipeline.call('MMVEC.ADD', key, String(value));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, reply]) => error?.message ?? reply);
}

describe('group commit of appends', () => {
  it('once the replies of pipelined appends from many clients arrive, the file holds every value', async () => {
    const server = await start();
    const file = path.join(server.dir, 'many.f64');
    expect(await server.redis.call('MMVEC.OPEN', 'many', 'many.f64')).toBe(0);
    const clients = range(0, 8).map(() => server.connect());
    const replies = await Promise.all(clients.map((c, k) => pipelinedAdds(c, 'many', range(k * 1000 + 1, 500))));
    expect(replies.flat()).toEqual(Array(8 * 500).fill(1));
    const inFile = valuesIn(file);
    expect(inFile.length).toBe(8 * 500);
    for (let k = 0; k < 8; k++) {
      // Each client's values in its own order (clients interleave).
      expect(inFile.filter((v) => Math.floor(v / 1000) === k && v % 1000 !== 0)).toEqual(range(k * 1000 + 1, 500));
    }
    expect(await server.redis.call('MMVEC.COUNT', 'many')).toBe(8 * 500);
    // A Node reader's length is the file's: never beyond it, here all of it.
    const reader = MmapVector.open(file, { mode: 'r' });
    expect(reader.length).toBe(8 * 500);
    expect(Array.from(reader.view() as Float64Array)).toEqual(inFile);
    reader.close();
  });

  it('a client unblocked from BLPOP whose pipelined MMVEC.ADDs follow: after kill -9 every acknowledged value is in the file', async () => {
    const server = await start(['--appendonly', 'yes']);
    const file = path.join(server.dir, 'after-blpop.f64');
    expect(await server.redis.call('MMVEC.OPEN', 'after-blpop', 'after-blpop.f64')).toBe(0);
    // Asked now: any command sent after the replies would make the server write first.
    const pid = Number(infoField(await server.redis.info('server'), 'process_id'));
    const blocked = server.connect();
    const pipeline = blocked.pipeline().blpop('q', 0);
    for (const value of range(1, 200)) pipeline.call('MMVEC.ADD', 'after-blpop', String(value));
    const replies = pipeline.exec();
    // The BLPOP blocks the rest of the pipeline until another client pushes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await server.redis.rpush('q', 'go')).toBe(1);
    const results = (await replies) ?? [];
    expect(results[0]).toEqual([null, ['q', 'go']]);
    expect(results.slice(1).map(([error, reply]) => error?.message ?? reply)).toEqual(Array(200).fill(1));
    process.kill(pid, 'SIGKILL');
    expect(valuesIn(file)).toEqual(range(1, 200));
    const restarted = await startServer({ dir: server.dir, port: server.port, args: ['--appendonly', 'yes'] });
    servers.push(restarted);
    expect(await restarted.redis.call('MMVEC.COUNT', 'after-blpop')).toBe(200);
    expect(valuesIn(file)).toEqual(range(1, 200));
  });

  it('every other command on the vector sees the appends made before it in the same pipeline', async () => {
    const server = await start();
    const redis = server.redis;
    expect(await redis.call('MMVEC.OPEN', 'seen', 'seen.f64')).toBe(0);
    const pipeline = redis.pipeline();
    for (const value of [1, 2, 3]) pipeline.call('MMVEC.ADD', 'seen', String(value));
    pipeline.call('MMVEC.COUNT', 'seen');
    pipeline.call('MMVEC.RANGE', 'seen', '0', '-1');
    pipeline.call('MMVEC.ADD', 'seen', '4');
    pipeline.call('MMVEC.GET', 'seen', '3');
    pipeline.call('MMVEC.ADD', 'seen', '5');
    pipeline.call('MMVEC.POP', 'seen');
    pipeline.call('MMVEC.ADD', 'seen', '6');
    pipeline.callBuffer('MMVEC.GETBLOB', 'seen', '0', '5');
    const results = ((await pipeline.exec()) ?? []).map(([error, reply]) => error?.message ?? reply);
    expect(results.slice(3, 5)).toEqual([3, ['1', '2', '3']]);
    expect(results.slice(5, 9)).toEqual([1, '4', 1, '5']);
    expect(results[10]).toEqual(Buffer.from(Float64Array.of(1, 2, 3, 4, 6).buffer));

    const transaction = await redis
      .multi()
      .call('MMVEC.ADD', 'seen', '7')
      .call('MMVEC.RANGE', 'seen', '-2', '-1')
      .exec();
    expect(transaction?.map(([, reply]) => reply)).toEqual([1, ['6', '7']]);
    const script = `redis.call('MMVEC.ADD', KEYS[1], '8'); return redis.call('MMVEC.COUNT', KEYS[1])`;
    expect(await redis.eval(script, 1, 'seen')).toBe(7);
  });

  it('DEL, UNLINK, FLUSHALL, RENAME, MOVE, SWAPDB and DEBUG RELOAD right after appends: nothing acknowledged is lost', async () => {
    const server = await start();
    const redis = server.redis;
    const values = (file: string) => valuesIn(path.join(server.dir, file));
    const appendsThen = async (key: string, ...command: string[]) => {
      const pipeline = redis.pipeline().call('MMVEC.OPEN', key, `${key}.f64`);
      for (const value of [1, 2, 3]) pipeline.call('MMVEC.ADD', key, String(value));
      pipeline.call(command[0]!, ...command.slice(1));
      const results = ((await pipeline.exec()) ?? []).map(([error, reply]) => error?.message ?? reply);
      expect(results.slice(0, 4)).toEqual([0, 1, 1, 1]);
      return results[4];
    };
    expect(await appendsThen('del', 'DEL', 'del')).toBe(1);
    expect(values('del.f64')).toEqual([1, 2, 3]);
    expect(await appendsThen('unlink', 'UNLINK', 'unlink')).toBe(1);
    expect(values('unlink.f64')).toEqual([1, 2, 3]);
    expect(await appendsThen('flushed', 'FLUSHALL')).toBe('OK');
    expect(values('flushed.f64')).toEqual([1, 2, 3]);
    expect(await appendsThen('renamed', 'RENAME', 'renamed', 'new-name')).toBe('OK');
    expect(await redis.call('MMVEC.RANGE', 'new-name', '0', '-1')).toEqual(['1', '2', '3']);
    expect(await appendsThen('moved', 'MOVE', 'moved', '1')).toBe(1);
    expect(values('moved.f64')).toEqual([1, 2, 3]);
    expect(await appendsThen('swapped', 'SWAPDB', '0', '2')).toBe('OK');
    expect(values('swapped.f64')).toEqual([1, 2, 3]);
    expect(await redis.call('SWAPDB', '0', '2')).toBe('OK');
    expect(await appendsThen('reloaded', 'DEBUG', 'RELOAD')).toBe('OK');
    expect(await redis.call('MMVEC.COUNT', 'reloaded')).toBe(3);
    expect(values('reloaded.f64')).toEqual([1, 2, 3]);
  });

  it('MMVEC.SYNC and SHUTDOWN right after appends: the appends are in the file first', async () => {
    const server = await start();
    const file = path.join(server.dir, 'last.f64');
    const pipeline = server.redis.pipeline().call('MMVEC.OPEN', 'last', 'last.f64');
    for (const value of [1, 2, 3]) pipeline.call('MMVEC.ADD', 'last', String(value));
    pipeline.call('MMVEC.SYNC', 'last');
    for (const value of [4, 5]) pipeline.call('MMVEC.ADD', 'last', String(value));
    pipeline.call('SHUTDOWN', 'NOSAVE');
    // The server exits before it writes the pipeline's replies: the file alone tells.
    await pipeline.exec().catch(() => undefined);
    await waitFor('the server to exit', async () => (await server.redis.ping().catch(() => 'gone')) === 'gone');
    expect(valuesIn(file)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a snapshot taken while appends are held carries them (mmvec.snapshot data: DUMP inside a transaction)', async () => {
    const source = await start();
    const target = await start();
    expect(await source.redis.call('CONFIG', 'SET', 'mmvec.snapshot', 'data')).toBe('OK');
    expect(await source.redis.call('MMVEC.OPEN', 'd', 'd.f64')).toBe(0);
    expect(await source.redis.call('MMVEC.ADD', 'd', '1')).toBe(1);
    const results = await source.redis
      .multi()
      .call('MMVEC.ADD', 'd', '2')
      .call('MMVEC.ADD', 'd', '3')
      .dumpBuffer('d')
      .exec();
    const payload = results?.[2]?.[1] as Buffer;
    expect(await target.redis.restore('d', 0, payload)).toBe('OK');
    expect(await target.redis.call('MMVEC.RANGE', 'd', '0', '-1')).toEqual(['1', '2', '3']);
    expect(valuesIn(path.join(target.dir, 'd.f64'))).toEqual([1, 2, 3]);
    expect(valuesIn(path.join(source.dir, 'd.f64'))).toEqual([1, 2, 3]);
  });

  it('inside one transaction: DEL, an overwrite, and FLUSHALL ASYNC (which frees on another thread) after appends lose nothing', async () => {
    const server = await start();
    const redis = server.redis;
    const values = (file: string) => valuesIn(path.join(server.dir, file));
    const inTransaction = async (key: string, ...command: string[]) => {
      expect(await redis.call('MMVEC.OPEN', key, `${key}.f64`)).toBe(0);
      const results = await redis
        .multi()
        .call('MMVEC.ADD', key, '1', '2')
        .call('MMVEC.ADD', key, '3')
        .call(command[0]!, ...command.slice(1))
        .exec();
      return results?.map(([error, reply]) => error?.message ?? reply);
    };
    expect(await inTransaction('tx-del', 'DEL', 'tx-del')).toEqual([2, 1, 1]);
    expect(values('tx-del.f64')).toEqual([1, 2, 3]);
    expect(await inTransaction('tx-set', 'SET', 'tx-set', 'a string now')).toEqual([2, 1, 'OK']);
    expect(values('tx-set.f64')).toEqual([1, 2, 3]);
    expect(await inTransaction('tx-flush', 'FLUSHALL', 'ASYNC')).toEqual([2, 1, 'OK']);
    expect(values('tx-flush.f64')).toEqual([1, 2, 3]);
  });

  it('the effects stay one per command, in order: the AOF holds an MMVEC.SPLICE for every pipelined append', async () => {
    const server = await start(['--appendonly', 'yes', '--appendfsync', 'always']);
    expect(await server.redis.call('MMVEC.OPEN', 'fx', 'fx.i16', 'TYPE', 'int16')).toBe(0);
    expect(await pipelinedAdds(server.redis, 'fx', range(1, 50))).toEqual(Array(50).fill(1));
    const aofDir = path.join(server.dir, 'appendonlydir');
    const incr = fs.readdirSync(aofDir).find((name) => name.endsWith('.incr.aof'))!;
    const aof = fs.readFileSync(path.join(aofDir, incr), 'latin1');
    const splice = (start: number, value: number) => {
      const bytes = Buffer.from(Int16Array.of(value).buffer).toString('latin1');
      const args = ['MMVEC.SPLICE', 'fx', String(start), bytes];
      return `*4\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
    };
    expect(aof).toContain(
      range(0, 50)
        .map((i) => splice(i, i + 1))
        .join(''),
    );
  });
});
