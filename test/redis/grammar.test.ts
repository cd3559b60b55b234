/**
 * One value grammar (the table in test/helpers/grammar.ts) through `MMVEC.ADD` in a real
 * redis-server and through `parseValue` + `MmapVector.set` in this process, and back out
 * (`MMVEC.POP`, `formatValue` of `get`): both must accept and refuse the same texts, and
 * print the same text for each. test/cli/grammar.test.ts holds `mmvec import` to the
 * same table.
 */

import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodedError, type DType, MmapVector, formatValue, parseValue } from '../..';
import { type Case, DTYPE_NAMES, casesFor } from '../helpers/grammar';
import { errorOf, startServer, type TestServer } from '../helpers/redis';
import { useTmpDir } from '../helpers/tmp';

let server: TestServer;
let redis: Redis;

beforeAll(async () => {
  server = await startServer();
  // Integer replies as strings, so 64-bit values arrive exactly.
  redis = new Redis({ port: server.port, host: '127.0.0.1', stringNumbers: true });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/** What `MMVEC.ADD` then `MMVEC.POP` make of `text`. */
async function throughRedis(dtype: DType, text: string): Promise<string | null> {
  const key = `grammar:${dtype}`;
  if (await errorOf(redis.call('MMVEC.ADD', key, text))) return null;
  return String(await redis.call('MMVEC.POP', key));
}

/** What `parseValue`, `MmapVector.set` and `formatValue` of `get` make of `text`; for
 * float80, whose values a number rounds, `setText` and `getText`. */
function throughAddon(vector: MmapVector<DType>, text: string): string | null {
  if (vector.dtype === 'float80') {
    try {
      vector.setText(0, text);
    } catch (error) {
      expect((error as CodedError).code).toBe('ERR_MMVEC_BAD_VALUE');
      return null;
    }
    return vector.getText(0);
  }
  let value: number | bigint;
  try {
    value = parseValue(vector.dtype, text) as number | bigint; // the ten dtypes' values
  } catch (error) {
    expect((error as CodedError).code).toBe('ERR_MMVEC_BAD_VALUE');
    return null;
  }
  vector.set(0, value as never);
  return formatValue(vector.dtype, vector.get(0));
}

describe.each(DTYPE_NAMES)('%s', (dtype) => {
  const tmp = useTmpDir('mmvec-grammar-');
  const cases = casesFor(dtype);

  it('MMVEC.ADD and MmapVector.set accept, refuse and print the same texts', async () => {
    await redis.call('MMVEC.OPEN', `grammar:${dtype}`, `grammar-${dtype}.bin`, 'TYPE', dtype);
    using vector = MmapVector.open<DType>(tmp.file('v.bin'), { dtype, mode: 'w+' });
    vector.push(0 as never);
    const seen: Case[] = [];
    for (const [text] of cases) {
      const viaRedis = await throughRedis(dtype, text);
      const viaAddon = throughAddon(vector, text);
      expect(viaAddon, `the addon and Redis on ${JSON.stringify(text)}`).toBe(viaRedis);
      seen.push([text, viaRedis]);
    }
    expect(seen).toEqual(cases);
  });
});
