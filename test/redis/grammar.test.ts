/**
 * One value grammar: a table of texts, each run through the three ways in — `MMVEC.ADD`
 * in a real redis-server, `parseValue` + `MmapVector.set` in this process, and
 * `mmvec import` — and back out (`MMVEC.POP`, `formatValue` of `get`, `mmvec export`).
 * All three must accept and refuse the same texts, and print the same text for each.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodedError, type DType, DTYPES, MmapVector, formatValue, parseValue } from '../..';
import { errorOf, startServer, type TestServer } from '../helpers/redis';
import { useTmpDir } from '../helpers/tmp';

const CLI = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** A text and what every way in must make of it: the printed text, or `null` for refused. */
type Case = [text: string, printed: string | null];

/** Texts every integer type reads alike. */
const INTEGER_CASES: Case[] = [
  ['5', '5'],
  ['0', '0'],
  ['-0', '0'],
  ['+5', null],
  ['05', null],
  ['00', null],
  ['-05', null],
  ['1e3', null],
  ['1E3', null],
  ['5.0', null],
  ['1.5', null],
  ['0x10', null],
  ['0b1', null],
  [' 5', null],
  ['5 ', null],
  ['1 2', null],
  ['', null],
  ['-', null],
  ['--5', null],
  ['abc', null],
  ['nan', null],
  ['inf', null],
  ['1' + '0'.repeat(40), null],
];

/** Each integer type's bounds: accepted, and one past them refused. */
function boundCases(dtype: DType): Case[] {
  const info = DTYPES.find((d) => d.name === dtype)!;
  const min = BigInt(info.min);
  const max = BigInt(info.max);
  return [
    [String(min), String(min)],
    [String(max), String(max)],
    [String(min - 1n), null],
    [String(max + 1n), null],
  ];
}

const FLOAT_CASES: Case[] = [
  ['1.5', '1.5'],
  ['+1.5', '1.5'],
  ['-2.25', '-2.25'],
  ['.5', '0.5'],
  ['5.', '5'],
  ['0.1', '0.1'],
  ['1e3', '1000'],
  ['1E3', '1000'],
  ['inf', 'inf'],
  ['-inf', '-inf'],
  ['+inf', 'inf'],
  ['Infinity', 'inf'],
  ['-INFINITY', '-inf'],
  ['nan', 'nan'],
  ['NaN', 'nan'],
  ['-0', '-0'],
  ['0', '0'],
  ['0x10', null],
  ['1e', null],
  ['1_000', null],
  [' 1', null],
  ['1 ', null],
  ['', null],
  ['abc', null],
];

const FLOAT64_CASES: Case[] = [
  ['1e21', '1e21'],
  ['1e15', '1000000000000000'],
  ['1e16', '1e16'],
  ['123456789012', '123456789012'],
  ['0.30000000000000004', '0.30000000000000004'],
  ['16777217', '16777217'],
  ['5e-324', '5e-324'],
  ['2e-324', '0'],
  ['1.7976931348623157e308', '1.7976931348623157e308'],
  ['1e400', null],
  ['-1e400', null],
];

const FLOAT32_CASES: Case[] = [
  ['1e21', '1e21'],
  ['0.1', '0.1'],
  ['16777217', '16777216'],
  ['1e-45', '1e-45'],
  ['1e-50', '0'],
  ['3.4028235e38', '3.4028235e38'],
  ['3.5e38', null],
  ['1e39', null],
  ['-1e39', null],
];

function casesFor(dtype: DType): Case[] {
  const info = DTYPES.find((d) => d.name === dtype)!;
  if (info.kind !== 'float') {
    const unsigned: Case[] =
      info.kind === 'uint'
        ? [
            ['-5', null],
            ['-1', null],
          ]
        : [['-5', '-5']];
    return [...INTEGER_CASES, ...unsigned, ...boundCases(dtype)];
  }
  return [...FLOAT_CASES, ...(dtype === 'float32' ? FLOAT32_CASES : FLOAT64_CASES)];
}

const DTYPE_NAMES = DTYPES.map((d) => d.name);

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

/** What `parseValue`, `MmapVector.set` and `formatValue` of `get` make of `text`. */
function throughAddon(vector: MmapVector<DType>, text: string): string | null {
  let value: number | bigint;
  try {
    value = parseValue(vector.dtype, text);
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

  it('mmvec import accepts, refuses and mmvec export prints the same texts', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: tmp.dir, encoding: 'utf8' });
    // A line's surrounding blanks are the text file's (trimmed, and a blank line is
    // skipped), not the value's: those texts are Redis's and the addon's alone.
    const lines = cases.filter(([text]) => text !== '' && text.trim() === text);
    const accepted = lines.filter(([, printed]) => printed !== null);
    fs.writeFileSync(tmp.file('ok.txt'), accepted.map(([text]) => text).join('\n'));
    const imported = cli('import', 'ok.txt', 'ok.bin', '--dtype', dtype);
    expect(imported.stderr).toBe('');
    const exported = cli('export', 'ok.bin', '-', '--dtype', dtype);
    expect(exported.stdout.split('\n').slice(0, -1)).toEqual(accepted.map(([, printed]) => printed));
    for (const [text] of lines.filter(([, printed]) => printed === null)) {
      fs.writeFileSync(tmp.file('bad.txt'), `${text}\n`);
      const refused = cli('import', 'bad.txt', 'bad.bin', '--dtype', dtype);
      expect({ text, status: refused.status, stderr: refused.stderr }).toEqual({
        text,
        status: 1,
        stderr: expect.stringMatching(new RegExp(`^mmvec: bad\\.txt:1:1: '.*' is not a valid ${dtype} \\(`)),
      });
    }
  });
});
