/**
 * Replies on the wire, in RESP2 and RESP3, byte for byte (ioredis speaks only RESP2 and
 * hides the types): integers, doubles, nulls, bulk text for uint64 beyond 2^63-1, errors.
 * The one difference between servers is the server's own text for a RESP3 double.
 * float16 and bfloat16 widen to doubles exactly; float80 is bulk text in both protocols
 * (a double would round it); bytes<N> are bulk strings, binary-safe.
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
    await r.call('MMVEC.OPEN', 'h', 'h.f16', 'TYPE', 'float16');
    await r.call('MMVEC.ADD', 'h', '0.1', '-2.5', 'inf');
    await r.call('MMVEC.OPEN', 'b', 'b.bf16', 'TYPE', 'bfloat16');
    await r.call('MMVEC.ADD', 'b', '0.1', '3');
    await r.call('MMVEC.OPEN', 'l', 'l.f80', 'TYPE', 'long_double');
    await r.call('MMVEC.ADD', 'l', '0.1', '1.18973149535723176502e+4932', '-0');
    await r.call('MMAP', 's', 's.bin', 'string', '4', 'writable');
    await r.call('MMVEC.ADD', 's', 'ab', '', Buffer.from([0, 0xff, 0x0d, 0x0a]));
  });

  const wider = [
    ['MMVEC.RANGE', 'h', '0', '-1'],
    ['MMVEC.RANGE', 'b', '0', '-1'],
    ['MMVEC.RANGE', 'l', '0', '-1'],
    ['MMVEC.INCRBY', 'l', '0', '0.1'],
    ['MMVEC.RANGE', 's', '0', '-1'],
    ['MMVEC.POP', 's'],
    ['VTYPE', 's'],
    ['VSIZE', 's'],
  ];
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
      bulk('double'),
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
      bulk('double'),
      ',1.5\r\n',
      ':9\r\n',
      '-ERR index is not an integer or out of range\r\n',
      '+OK\r\n',
    ]);
  });

  const wire = (text: string) => `$${Buffer.byteLength(text, 'latin1')}\r\n${text}\r\n`;

  it('RESP2: float16, bfloat16 and float80 as their shortest text; bytes as they are', async () => {
    expect(await rawReplies(server.port, 2, wider)).toEqual([
      `*3\r\n${['0.1', '-2.5', 'inf'].map(bulk).join('')}`,
      `*2\r\n${['0.1', '3'].map(bulk).join('')}`,
      `*3\r\n${['0.1', '1.189731495357231765e4932', '-0'].map(bulk).join('')}`,
      bulk('0.2'),
      `*3\r\n${['ab', '', '\x00\xff\r\n'].map(wire).join('')}`,
      wire('\x00\xff\r\n'),
      bulk('string'),
      ':4\r\n',
    ]);
  });

  it('RESP3: float16 and bfloat16 as doubles (widened exactly), float80 still as text', async () => {
    // 0.1 as a half is 0.0999755859375 and as a bfloat16 0.10009765625: exact in a double,
    // so every server prints them alike.
    expect(await rawReplies(server.port, 3, wider)).toEqual([
      '*3\r\n,0.0999755859375\r\n,-2.5\r\n,inf\r\n',
      '*2\r\n,0.10009765625\r\n,3\r\n',
      `*3\r\n${['0.2', '1.189731495357231765e4932', '-0'].map(bulk).join('')}`,
      bulk('0.3'),
      `*2\r\n${['ab', ''].map(wire).join('')}`,
      wire(''),
      bulk('string'),
      ':4\r\n',
    ]);
  });
});
