/**
 * Replies on the wire, in RESP2 and RESP3, byte for byte (ioredis speaks only RESP2 and
 * hides the types): integers, doubles, nulls, bulk text for uint64 beyond 2^63-1, errors.
 * The one difference between servers is the server's own text for a RESP3 double.
 */

import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { features, startServer, testedServer, type TestServer } from '../helpers/redis';
import { rawReplies } from '../helpers/resp';

describe(`replies in RESP2 and RESP3 on ${testedServer().label}`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    const r = server.redis;
    await r.call('MMVEC.OPEN', 'f', 'f.f64');
    await r.call('MMVEC.ADD', 'f', '0.1', '1.5', 'inf', '-inf', 'nan', '1e300', '5e-324', '-0', '100');
    await r.call('MMVEC.OPEN', 'g', 'g.f32', 'TYPE', 'float32');
    await r.call('MMVEC.ADD', 'g', '0.1', '3.4028235e38');
    await r.call('MMVEC.OPEN', 'u', 'u.u64', 'TYPE', 'uint64');
    await r.call('MMVEC.ADD', 'u', '18446744073709551615', '7');
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  const commands = [
    ['MMVEC.RANGE', 'f', '0', '-1'],
    ['MMVEC.RANGE', 'g', '0', '-1'],
    ['MMVEC.MGET', 'u', '0', '1', '5'],
    ['MMVEC.GET', 'f', '99'],
    ['MMVEC.INFO', 'nokey'],
    ['VTYPE', 'f'],
    ['MMVEC.INCRBY', 'f', '1', '0'],
    ['MMVEC.COUNT', 'f'],
    ['VGET', 'f', 'x'],
    ['MMVEC.SYNC', 'f'],
  ];
  const bulk = (text: string) => `$${text.length}\r\n${text}\r\n`;

  it('RESP2: floats as their shortest text, nil as $-1', async () => {
    expect(await rawReplies(server.port, 2, commands)).toEqual([
      `*9\r\n${['0.1', '1.5', 'inf', '-inf', 'nan', '1e300', '5e-324', '-0', '100'].map(bulk).join('')}`,
      `*2\r\n${bulk('0.1')}${bulk('3.4028235e38')}`,
      `*3\r\n${bulk('18446744073709551615')}:7\r\n$-1\r\n`,
      '$-1\r\n',
      '$-1\r\n',
      bulk('float64'),
      bulk('1.5'),
      ':9\r\n',
      '-ERR index is not an integer or out of range\r\n',
      '+OK\r\n',
    ]);
  });

  it('RESP3: floats as doubles (float32 widened exactly), nil as _', async () => {
    // The server writes a double's text: the shortest round trip on Redis 7.2+ and Valkey,
    // 17 significant digits on Redis 7.0.
    const doubles = features.shortestResp3Doubles
      ? ['0.1', '1.5', 'inf', '-inf', 'nan', '1e+300', '5e-324', '-0', '100']
      : [
          '0.10000000000000001',
          '1.5',
          'inf',
          '-inf',
          'nan',
          '1.0000000000000001e+300',
          '4.9406564584124654e-324',
          '-0',
          '100',
        ];
    expect(await rawReplies(server.port, 3, commands)).toEqual([
      `*9\r\n${doubles.map((d) => `,${d}\r\n`).join('')}`,
      '*2\r\n,0.10000000149011612\r\n,3.4028234663852886e+38\r\n',
      `*3\r\n${bulk('18446744073709551615')}:7\r\n_\r\n`,
      '_\r\n',
      '_\r\n',
      bulk('float64'),
      ',1.5\r\n',
      ':9\r\n',
      '-ERR index is not an integer or out of range\r\n',
      '+OK\r\n',
    ]);
  });
});
