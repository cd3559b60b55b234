/**
 * The seed notebook's walkthrough (../shared/seed/RedisMMap-notebook.md), step by step,
 * against a real redis-server with the module: every command it runs and every reply
 * and file size it shows. The steps share one server and one file and run in order.
 *
 * The seed prints doubles with RedisModule_ReplyWithDouble (17 digits, "0.10000000000000001");
 * mmvec prints the shortest round-trip text ("0.1"). Both parse to the same double, so
 * values are compared as parsed numbers.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/redis';

/** A reply that is a double as text, parsed. */
function num(reply: unknown): number {
  expect(typeof reply).toBe('string');
  return Number(reply);
}

function nums(reply: unknown): number[] {
  expect(Array.isArray(reply)).toBe(true);
  return (reply as unknown[]).map(num);
}

describe('the seed notebook walkthrough', () => {
  let server: TestServer;
  /** The notebook's /content/db directory and its file.mmap, here under the server's dir. */
  let dbDir: string;
  let file: string;
  const call = (...args: (string | number)[]): Promise<unknown> => server.redis.call(String(args[0]), ...args.slice(1));
  const size = (): number => fs.statSync(file).size;

  beforeAll(async () => {
    server = await startServer();
    dbDir = path.join(server.dir, 'db');
    fs.mkdirSync(dbDir);
    file = path.join(dbDir, 'file.mmap');
  });
  afterAll(async () => server.stop());

  it('MMAP db file.mmap replies 0 and creates an empty file', async () => {
    expect(fs.existsSync(file)).toBe(false);
    expect(await call('MMAP', 'db', file)).toBe(0);
    expect(fs.statSync(file).isFile()).toBe(true);
    expect(size()).toBe(0);
  });

  it('VADD db 0.0 replies 1 and the file grows to 8 bytes', async () => {
    expect(await call('VADD', 'db', '0.0')).toBe(1);
    expect(size()).toBe(8);
  });

  it('nine more VADDs reply 1 each, VCOUNT replies 10, the file is 80 bytes', async () => {
    for (const value of ['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9']) {
      expect(await call('vadd', 'db', value)).toBe(1);
    }
    expect(await call('vcount', 'db')).toBe(10);
    expect(size()).toBe(80);
  });

  it('VADD db 1.0 1.1 1.2 1.3 1.4 1.5 replies 6', async () => {
    expect(await call('VADD', 'db', '1.0', '1.1', '1.2', '1.3', '1.4', '1.5')).toBe(6);
    expect(size()).toBe(128);
  });

  it('VGET db 5 replies "0.5"', async () => {
    expect(num(await call('VGET', 'db', '5'))).toBe(0.5);
  });

  it('VMGET db 1 2 3 4 5 replies the five values', async () => {
    expect(nums(await call('VMGET', 'db', '1', '2', '3', '4', '5'))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    // The notebook's 17-digit texts denote exactly these doubles.
    expect(
      ['0.10000000000000001', '0.20000000000000001', '0.29999999999999999', '0.40000000000000002', '0.5'].map(Number),
    ).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('VSET db 5 50 10 100 replies 2, and VMGET db 5 10 replies 50 and 100', async () => {
    expect(await call('VSET', 'db', '5', '50', '10', '100')).toBe(2);
    expect(nums(await call('VMGET', 'db', '5', '10'))).toEqual([50, 100]);
  });

  it('VCOUNT 16, VGET db 15 is 1.5, VPOP returns 1.5, VCOUNT 15', async () => {
    expect(await call('VCOUNT', 'db')).toBe(16);
    expect(num(await call('VGET', 'db', '15'))).toBe(1.5);
    expect(num(await call('VPOP', 'db'))).toBe(1.5);
    expect(await call('VCOUNT', 'db')).toBe(15);
    expect(size()).toBe(120);
  });

  it('after stopping and starting the server the values remain: VCOUNT 15', async () => {
    // restart() shuts down with SAVE: dump.rdb records the binding, the file the values.
    server = await server.restart();
    expect(fs.existsSync(path.join(server.dir, 'dump.rdb'))).toBe(true);
    expect(await call('VCOUNT', 'db')).toBe(15);
    expect(nums(await call('VMGET', 'db', '5', '10', '14'))).toEqual([50, 100, 1.4]);
  });

  it('DEL db leaves the 120-byte file, which MMAP dba maps again: 15 values, VGET dba 5 is 50', async () => {
    expect(await call('KEYS', '*')).toEqual(['db']);
    expect(await call('DEL', 'db')).toBe(1);
    expect(await call('KEYS', '*')).toEqual([]);
    expect(size()).toBe(120);
    expect(await call('MMAP', 'dba', file)).toBe(15);
    expect(num(await call('VGET', 'dba', '5'))).toBe(50);
  });

  it('VCLEAR dba replies 15, VCOUNT dba 0, and the file is 0 bytes', async () => {
    expect(await call('VCLEAR', 'dba')).toBe(15);
    expect(await call('VCOUNT', 'dba')).toBe(0);
    expect(size()).toBe(0);
  });

  it('DEL dba replies 1', async () => {
    expect(await call('DEL', 'dba')).toBe(1);
    expect(size()).toBe(0);
  });

  it('a file of 100 doubles written outside Redis maps with MMAP db: 100 values', async () => {
    // The notebook writes struct.pack('d', i) for i in range(100): native-endian doubles.
    const bytes = Buffer.alloc(100 * 8);
    for (let i = 0; i < 100; i++) bytes.writeDoubleLE(i, i * 8);
    fs.writeFileSync(file, bytes);
    expect(await call('mmap', 'db', file)).toBe(100);
    expect(await call('vcount', 'db')).toBe(100);
    expect(nums(await call('vmget', 'db', '1', '3', '5', '7', '9'))).toEqual([1, 3, 5, 7, 9]);
  });

  it('shutdown leaves the 800-byte file in place', async () => {
    await server.stop('save');
    expect(size()).toBe(800);
    const doubles = new Float64Array(new Uint8Array(fs.readFileSync(file)).buffer);
    expect(Array.from(doubles)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
