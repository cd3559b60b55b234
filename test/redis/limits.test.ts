/**
 * Security limits of the module: files reachable through hard links, mmvec.max-bytes,
 * and names too long for the file system.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startServer, type TestServer } from '../helpers/redis';

describe('module limits', () => {
  let server: TestServer;
  const call = (...args: (string | Buffer)[]) => server.redis.call(args[0] as string, ...args.slice(1));

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.stop());

  it('refuses a file with a second hard link, which may be a file outside DIR', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.bin'), Buffer.alloc(16, 7));
    fs.linkSync(path.join(outside, 'secret.bin'), path.join(server.dir, 'hl.bin'));
    const refused = "ERR bad path 'hl.bin': has more than one hard link, so it may be a file outside DIR";
    expect(await errorOf(call('MMAP', 'hl', 'hl.bin'))).toBe(refused);
    expect(await errorOf(call('MMVEC.OPEN', 'hl', 'hl.bin', 'READONLY'))).toBe(refused);
    expect(await call('EXISTS', 'hl')).toBe(0);
    expect(fs.readFileSync(path.join(outside, 'secret.bin'))).toEqual(Buffer.alloc(16, 7));
    fs.rmSync(outside, { recursive: true });
  });

  it('mmvec.max-bytes bounds how far a client may grow one vector', async () => {
    expect(await call('CONFIG', 'SET', 'mmvec.max-bytes', '32')).toBe('OK');
    try {
      expect(await call('MMVEC.OPEN', 'small', 'small.bin', 'TYPE', 'int64')).toBe(0);
      expect(await call('VADD', 'small', '1', '2', '3', '4')).toBe(4);
      const over = (bytes: number) => `ERR the vector would grow to ${bytes} bytes, over mmvec.max-bytes (32)`;
      expect(await errorOf(call('VADD', 'small', '5'))).toBe(over(40));
      expect(await errorOf(call('MMVEC.ADDBLOB', 'small', Buffer.alloc(16)))).toBe(over(48));
      expect(await errorOf(call('MMVEC.SETBLOB', 'small', '3', Buffer.alloc(16)))).toBe(over(40));
      expect(await call('MMVEC.SETBLOB', 'small', '2', Buffer.alloc(16))).toBe(2);
      expect(fs.statSync(path.join(server.dir, 'small.bin')).size).toBe(32);
      // Lowering the limit below a vector's size still allows writes that do not grow it.
      expect(await call('CONFIG', 'SET', 'mmvec.max-bytes', '8')).toBe('OK');
      expect(await call('VSET', 'small', '0', '9')).toBe(1);
      expect(await call('VPOP', 'small')).toBe(0);
      expect(await errorOf(call('CONFIG', 'SET', 'mmvec.max-bytes', '-1'))).toMatch(/^ERR CONFIG SET failed/);
    } finally {
      await call('CONFIG', 'SET', 'mmvec.max-bytes', '0');
    }
    expect(await call('VADD', 'small', '5', '6', '7')).toBe(3);
  });

  it('a name too long for the file system is an error, not a crash', async () => {
    const long = `${'x'.repeat(300)}.bin`;
    const message = await errorOf(call('MMAP', 'long', long));
    expect(message).toBe(`ERR open ${path.join(fs.realpathSync(server.dir), long)}: File name too long (os error 36)`);
    expect(await call('PING')).toBe('PONG');
  });
});
