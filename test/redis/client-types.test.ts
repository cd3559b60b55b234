/**
 * `MmvecClient` on the dtypes of issue 11, over each client library: byte strings go
 * out as strings or Buffers and come back through `getBytes`/`rangeBytes` (binary-safe),
 * a float80 element's exact text through `getBytes`, and float16/bfloat16 values as
 * numbers (their shortest text over RESP2, their exact value over RESP3, as float32).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MmvecClient } from '../..';
import { type Connected, LIBRARIES, connectServer } from '../helpers/clients';
import { type TestServer, startServer } from '../helpers/redis';

describe.each(LIBRARIES)('MmvecClient over %s: the wider dtypes', (library) => {
  let server: TestServer;
  let connected: Connected;
  let client: MmvecClient;

  beforeAll(async () => {
    server = await startServer();
    connected = await connectServer(library, server.port);
    client = connected.client;
  });
  afterAll(async () => {
    await connected.close();
    await server.stop();
  });

  it('bytes<N>: strings and Buffers in, getBytes and rangeBytes out, binary-safe', async () => {
    expect(await client.open('s', 's.bin', { dtype: 'bytes8' })).toBe(0);
    expect(await client.add('s', 'ab', Buffer.from([0xff, 0, 1]), '')).toBe(3);
    expect(await client.getBytes('s', 0)).toEqual(Buffer.from('ab'));
    expect(await client.getBytes('s', 9)).toBeNull();
    expect(await client.set('s', [2], ['abcd e f'])).toBe(1);
    expect(await client.rangeBytes('s')).toEqual([
      Buffer.from('ab'),
      Buffer.from([0xff, 0, 1]),
      Buffer.from('abcd e f'),
    ]);
    await expect(client.add('s', 'abcdefghi')).rejects.toThrow(
      "value 'abcdefghi' is not valid for bytes8: 9 bytes is longer than 8",
    );
    expect(Buffer.from((await client.getBlob('s', 'bytes8'))!)).toEqual(
      Buffer.from('ab\0\0\0\0\0\0\xff\0\x01\0\0\0\0\0abcd e f', 'latin1'),
    );
  });

  it('float80: getBytes gives the exact text, get the nearest number', async () => {
    await client.open('l', 'l.f80', { dtype: 'long_double' });
    await client.add('l', 0, 2, 4);
    expect(await client.set('l', [1], ['1.18973149535723176502e+4932'])).toBe(1);
    expect(String(await client.getBytes('l', 1))).toBe('1.189731495357231765e4932');
    expect(await client.get('l', 1)).toBe(Infinity);
    expect(await client.get('l', 2)).toBe(4);
  });

  it('float16 and bfloat16 read as numbers', async () => {
    await client.open('h', 'h.f16', { dtype: 'float16' });
    await client.add('h', 0.1, 2049);
    // RESP2 replies the shortest float16 text ('0.1'), RESP3 the exact value as a double.
    expect(await client.range('h')).toEqual([library === 'node-redis' ? 0.0999755859375 : 0.1, 2048]);
    await client.open('b', 'b.bf16', { dtype: 'bf16' });
    await client.add('b', 257);
    expect(await client.get('b', 0)).toBe(256);
  });
});
