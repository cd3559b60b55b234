/**
 * Differential fuzzing of the Node addon (driver in fuzz-run.ts, model in fuzz-model.ts):
 * seeded random operations on several MmapVector handles (writers and readers of a few
 * files, every dtype), valid and bad inputs, views, close/reopen; every result and thrown
 * error compared with the model, and the files.
 *
 * `npm test` runs a short run with a fresh seed (printed); MMVEC_FUZZ_COMMANDS sets the
 * length and MMVEC_FUZZ_SEED replays a seed.
 */

import { describe, expect, it } from 'vitest';
import { describeAddonFailure, runAddonFuzz, seedFromEnv } from './fuzz-run';

const COMMANDS = Number(process.env.MMVEC_FUZZ_COMMANDS ?? 5000);
const TIMEOUT = Math.max(60_000, COMMANDS * 2);

describe('differential fuzz: the Node addon against its model', () => {
  it(
    `${COMMANDS} random operations on every dtype: every result, error and file as the model predicts`,
    () => {
      const seed = seedFromEnv();
      const result = runAddonFuzz({ seed, ops: COMMANDS });
      console.log(
        `addon fuzz: seed ${seed}, ${result.ops} operations in ${result.millis} ms, ${result.errors} errors thrown`,
      );
      if (result.failure) console.error(describeAddonFailure(result));
      expect(result.failure, `seed ${seed}: ${result.failure?.detail}`).toBeUndefined();
      if (COMMANDS >= 5000) {
        expect([...result.dtypes].sort()).toHaveLength(10);
        for (const op of [
          'get',
          'getMany',
          'slice',
          'set',
          'setMany',
          'push',
          'pushArray',
          'pop',
          'clear',
          'view',
          'open',
        ]) {
          expect(result.byOp.get(op)?.ok, `${op} never succeeded (seed ${seed})`).toBeGreaterThan(0);
        }
        for (const op of ['get', 'getMany', 'set', 'setMany', 'push', 'pushArray', 'pop', 'open']) {
          expect(result.byOp.get(op)?.err, `${op} never threw (seed ${seed})`).toBeGreaterThan(0);
        }
      }
    },
    TIMEOUT,
  );
});
