/**
 * Differential fuzzing of the module (drivers in fuzz-run.ts, models in fuzz-model.ts; the
 * addon's is fuzz.addon.test.ts).
 *
 * - Redis: seeded random commands, valid and malformed (every mmvec command and alias,
 *   random arity, keys bound to vectors of every dtype, read-only keys, plain strings,
 *   missing keys, odd numbers and bytes, blobs of every length), sent to a real
 *   redis-server with the module; every reply is compared with the model's prediction
 *   (values, nils, integers, arrays, exact error texts), and every vector file with the
 *   model's bytes. The server must answer PING at the end.
 *
 * `npm test` runs a short run with a fresh seed (printed). `npm run fuzz` runs a long one
 * (MMVEC_FUZZ_COMMANDS, default 200000). MMVEC_FUZZ_SEED replays a seed. A failure
 * prints the seed and a minimal command sequence, as redis-cli lines and as JSON that
 * `REGRESSIONS` below takes.
 */

import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startServer, type TestServer } from '../helpers/redis';
import { commandFromJson, describeRedisFailure, FuzzServer, replayRedis, runRedisFuzz, seedFromEnv } from './fuzz-run';

const COMMANDS = Number(process.env.MMVEC_FUZZ_COMMANDS ?? 5000);
const TIMEOUT = Math.max(60_000, COMMANDS * 2);

/** Sequences that once failed, or that pin down a corner: each must replay cleanly. */
const REGRESSIONS: { name: string; commands: (string | { hex: string })[][] }[] = [
  {
    name: 'a float64 whose five-digit decimal is not an exact product prints in its shortest text',
    commands: [
      ['MMVEC.OPEN', 'v9', 'f9.bin', 'TYPE', 'float64'],
      ['VADD', 'v9', '68.75', '-1.8052207257998619e-270', '8862920990.21375', '68719476736.0028'],
      ['MMVEC.RANGE', 'v9', '0', '-1'],
    ],
  },
  {
    name: 'a read-only key on the file blocks the writer key’s shrinks until it is deleted',
    commands: [
      ['MMVEC.OPEN', 'w', 'f0.bin', 'TYPE', 'int16'],
      ['MMVEC.ADD', 'w', '1', '2', '3'],
      ['MMVEC.OPEN', 'r', './f0.bin', 'TYPE', 'i16', 'READONLY'],
      ['MMVEC.POP', 'w'],
      ['VCLEAR', 'w'],
      ['MMVEC.SETBLOB', 'w', '3', { hex: '0400' }],
      ['MMVEC.COUNT', 'r'],
      ['MMVEC.SET', 'w', '0', '-7'],
      ['MMVEC.RANGE', 'r', '0', '-1'],
      ['DEL', 'r'],
      ['MMVEC.POP', 'w'],
      ['MMVEC.CLEAR', 'w'],
    ],
  },
  {
    name: 'values at the edges of every type',
    commands: [
      ['MMVEC.OPEN', 'u', 'f1.bin', 'TYPE', 'uint64'],
      ['MMVEC.ADD', 'u', '18446744073709551615', '-0', '9223372036854775808'],
      ['MMVEC.INCRBY', 'u', '0', '1'],
      ['MMVEC.INCRBY', 'u', '1', '-1'],
      ['MMVEC.RANGE', 'u', '0', '-1'],
      ['MMVEC.OPEN', 'f', 'f2.bin', 'TYPE', 'float32'],
      ['MMVEC.ADD', 'f', '-nan', '1e-50', '-1e-50', '3.4028235e38', '16777217', '-inf'],
      ['MMVEC.ADD', 'f', '3.4028236e38'],
      ['MMVEC.INCRBY', 'f', '3', '3.4e38'],
      ['MMVEC.INCRBY', 'f', '5', '1'],
      ['MMVEC.GETBLOB', 'f', '0', '9'],
      ['MMVEC.OPEN', 'f', 'lnk', 'TYPE', 'f32'],
      ['VALL', 'f'],
    ],
  },
];

describe('differential fuzz: the Redis module against its model', () => {
  it(
    `${COMMANDS} random commands: every reply and every file as the model predicts`,
    async () => {
      const seed = seedFromEnv();
      const result = await runRedisFuzz({ seed, commands: COMMANDS, log: (line) => console.log(line) });
      const deviations = [...result.deviations].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none';
      console.log(
        `redis fuzz: seed ${seed}, ${result.commands} commands in ${result.millis} ms, ${result.errors} error replies; known deviations: ${deviations}`,
      );
      if (result.failure) console.error(describeRedisFailure(result));
      expect(result.failure, `seed ${seed}: ${result.failure?.detail}`).toBeUndefined();
      // The run did real work: every command family both succeeded and failed.
      for (const name of [
        'MMVEC.GET',
        'MMVEC.MGET',
        'MMVEC.SET',
        'MMVEC.ADD',
        'MMVEC.POP',
        'MMVEC.RANGE',
        'MMVEC.GETBLOB',
        'MMVEC.SETBLOB',
        'MMVEC.ADDBLOB',
        'MMVEC.INCRBY',
        'MMVEC.OPEN',
      ]) {
        const tally = result.byCommand.get(name);
        expect(tally?.ok, `${name} never succeeded (seed ${seed})`).toBeGreaterThan(0);
        expect(tally?.err, `${name} never failed (seed ${seed})`).toBeGreaterThan(0);
      }
    },
    TIMEOUT,
  );

  describe('regressions', () => {
    let server: FuzzServer;
    beforeAll(async () => {
      server = await FuzzServer.start();
    });
    afterAll(async () => {
      await server?.stop();
    });
    for (const regression of REGRESSIONS) {
      it(regression.name, async () => {
        const failure = await replayRedis(server, regression.commands.map(commandFromJson), { checkFilesEvery: 1 });
        expect(failure).toBeUndefined();
      });
    }
  });
});

describe('findings of the fuzzer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  // Regression: a float32 overflow quoted the parsed number re-formatted (`1e39`).
  it('a float32 value out of range is quoted as the client sent it', async () => {
    const redis = server.redis;
    await redis.call('MMVEC.OPEN', 'f32', 'f32.bin', 'TYPE', 'float32');
    const cases = ['1000000000000000000000000000000000000000', '+1e39', '3.5E38', `1${'0'.repeat(199)}`];
    const quoted = (text: string): string => (text.length > 128 ? `${text.slice(0, 128)}...` : text);
    const got = await Promise.all(cases.map((text) => errorOf(redis.call('MMVEC.ADD', 'f32', text))));
    expect(got).toEqual(cases.map((text) => `ERR value '${quoted(text)}' is not valid for float32: out of range`));
  });
});
