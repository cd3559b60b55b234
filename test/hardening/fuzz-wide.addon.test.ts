/**
 * Differential fuzzing of the addon on the dtypes of issue 11 (model in
 * fuzz-wide-model.ts): seeded random set, setMany, push, pushArray, pop, get, getText,
 * setText and slice on float16, bfloat16, float80, bytes8 and bytes3 vectors, with valid
 * and refused values; every result and error is compared with the model, and every
 * vector's file with the model's bytes after each operation.
 *
 * `npm test` runs a short run with a fresh seed (printed); MMVEC_FUZZ_COMMANDS sets the
 * length and MMVEC_FUZZ_SEED replays a seed.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CodedError, MmapVector, formatValue } from '../..';
import { useTmpDir } from '../helpers/tmp';
import { Rng, seedFromEnv } from './fuzz-run';
import { type Stored, WIDE_DTYPES, type WideDType, isBytesDtype, itemsizeOf, store } from './fuzz-wide-model';

const COMMANDS = Number(process.env.MMVEC_FUZZ_COMMANDS ?? 5000);
const tmp = useTmpDir('mmvec-fuzz-wide-');

type Value = number | string | Buffer;

/** A value the model predicts exactly (see fuzz-wide-model.ts). With `exactText`, only
 * numbers whose shortest text is their exact decimal (so a float16 or bfloat16 tie is
 * a tie in the text too). */
function randomValue(rng: Rng, dtype: WideDType, exactText = false): Value {
  if (isBytesDtype(dtype)) {
    const length = rng.int(itemsizeOf(dtype) + 3);
    if (rng.chance(0.4)) return 'abcdefghijk'.slice(0, length);
    // Bytes, a trailing NUL now and then, and 0xff (not UTF-8) among them.
    const bytes = Buffer.from(Array.from({ length }, () => rng.pick([0, 0x41, 0x7a, 0xff, 0x20])));
    return bytes;
  }
  switch (rng.int(exactText ? 4 : 6)) {
    case 0:
      return rng.pick([0, -0, Infinity, -Infinity, NaN, 1, -1]);
    case 1:
      // Past float16's and bfloat16's range, or just inside.
      // (1e39 and 3.4e38 are not exact decimals of their doubles: not as texts.)
      return rng.pick([70000, -70000, 65504, 65519, 65520, ...(exactText ? [] : [1e39, -1e39, 3.38e38, 3.4e38])]);
    case 2:
      // Integers: float16 rounds past 2048, bfloat16 past 256 (ties to even).
      return rng.range(-5000, 5000);
    case 3:
      // A dyadic fraction: an exact short decimal.
      return rng.range(-4096, 4096) / 2 ** rng.int(12);
    case 4:
      // Subnormals of float16 (2^-24 and up).
      return rng.range(1, 2048) * 2 ** -24 * rng.pick([1, -1]);
    default:
      return rng.range(1, 2 ** 20) * 2 ** rng.range(-30, 30);
  }
}

/** What the vector answered: a value, or the error's code and message. */
function outcome(fn: () => unknown): unknown {
  try {
    const result = fn();
    return Buffer.isBuffer(result) ? { buffer: result.toString('hex') } : { ok: result };
  } catch (error) {
    const { code, message } = error as CodedError;
    return { code, message };
  }
}

function expected(stored: Stored): unknown {
  return 'code' in stored ? { code: stored.code, message: stored.message } : undefined;
}

interface Vector {
  dtype: WideDType;
  file: string;
  v: MmapVector<WideDType>;
  /** The model: each element's bytes (float80's unmodelled) and its JS value. */
  elements: { bytes: Buffer; value: number | Buffer }[];
}

function checkFile(vec: Vector): void {
  const bytes = fs.readFileSync(vec.file);
  expect(bytes.length, `${vec.dtype} file length`).toBe(vec.elements.length * itemsizeOf(vec.dtype));
  if (vec.dtype === 'float80') return;
  expect(bytes.toString('hex'), `${vec.dtype} file`).toBe(
    Buffer.concat(vec.elements.map((e) => e.bytes)).toString('hex'),
  );
}

function jsValue(value: number | Buffer): unknown {
  return Buffer.isBuffer(value) ? { buffer: value.toString('hex') } : { ok: value };
}

describe('differential fuzz: the addon on float16, bfloat16, float80 and bytes<N>', () => {
  it(`${COMMANDS} random operations: every result, error and file as the model predicts`, () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    console.log(`wide-dtype addon fuzz: seed ${seed}`);
    const vectors: Vector[] = WIDE_DTYPES.map((dtype) => {
      const file = tmp.file(`${dtype}.bin`);
      return { dtype, file, v: MmapVector.open<WideDType>(file, { dtype, mode: 'w+' }), elements: [] };
    });
    const counts = new Map<string, number>();
    try {
      for (let n = 0; n < COMMANDS; n++) {
        const vec = rng.pick(vectors);
        const { v, dtype } = vec;
        const op = rng.weighted({
          push: 4,
          pushArray: 2,
          set: 4,
          setMany: 2,
          get: 4,
          getText: 2,
          setText: 2,
          pop: 1,
          slice: 1,
        });
        const where = `seed ${seed}, op #${n}: ${op} on ${dtype}`;
        counts.set(op, (counts.get(op) ?? 0) + 1);
        const length = vec.elements.length;
        const index = rng.int(length + 1); // the length itself is out of range
        const outOfRange = {
          code: 'ERR_MMVEC_OUT_OF_RANGE',
          message: `index ${index} is out of range for length ${length}`,
        };
        switch (op) {
          case 'push':
          case 'pushArray': {
            const values = Array.from({ length: rng.range(1, 3) }, () => randomValue(rng, dtype));
            const stores = values.map((value) => store(dtype, value));
            const refused = stores.find((s) => 'code' in s);
            const got = outcome(() =>
              op === 'push' ? v.push(...(values as never[])) : v.pushArray(values as never[]),
            );
            if (refused) expect(got, where).toEqual(expected(refused));
            else {
              vec.elements.push(...(stores as Exclude<Stored, { code: string }>[]));
              expect(got, where).toEqual({ ok: vec.elements.length });
            }
            break;
          }
          case 'set': {
            const value = randomValue(rng, dtype);
            const stored = store(dtype, value);
            const got = outcome(() => v.set(index, value as never));
            if (index >= length) expect(got, where).toEqual(outOfRange);
            else if ('code' in stored) expect(got, where).toEqual(expected(stored));
            else {
              vec.elements[index] = stored;
              expect(got, where).toEqual({ ok: undefined });
            }
            break;
          }
          case 'setMany': {
            if (length === 0) break;
            const indices = [rng.int(length), rng.int(length)];
            const values = [randomValue(rng, dtype), randomValue(rng, dtype)];
            const stores = values.map((value) => store(dtype, value));
            const refused = stores.find((s) => 'code' in s);
            const got = outcome(() => v.setMany(indices, values as never[]));
            if (refused) expect(got, where).toEqual(expected(refused));
            else {
              indices.forEach((i, k) => (vec.elements[i] = stores[k] as Exclude<Stored, { code: string }>));
              expect(got, where).toEqual({ ok: undefined });
            }
            break;
          }
          case 'get': {
            const got = outcome(() => v.get(index));
            expect(got, where).toEqual(index >= length ? outOfRange : jsValue(vec.elements[index]!.value));
            break;
          }
          case 'getText': {
            const got = outcome(() => v.getText(index));
            if (index >= length) expect(got, where).toEqual(outOfRange);
            else {
              const value = vec.elements[index]!.value;
              // bytes: the bytes as UTF-8; a float: the core's text of the element, which
              // for float80 (every stored value a double) is formatValue's of that double.
              const text = Buffer.isBuffer(value)
                ? new TextDecoder().decode(value)
                : formatValue(dtype as 'float16' | 'bfloat16' | 'float80', value);
              expect(got, where).toEqual({ ok: text });
            }
            break;
          }
          case 'setText': {
            const value = randomValue(rng, dtype, true);
            // Texts: a string for bytes (as UTF-8), an exact decimal for a float.
            const text =
              typeof value === 'number' ? (Number.isNaN(value) ? 'nan' : formatValue('float64', value)) : String(value);
            const stored = store(dtype, typeof value === 'number' ? value : Buffer.from(text, 'utf8'));
            const got = outcome(() => v.setText(index, text));
            if (typeof value === 'number' && 'code' in stored)
              // The refusal quotes the text as given.
              expect(got, where).toEqual({
                code: stored.code,
                message: stored.message.replace(`'${formatValue('float64', value)}'`, `'${text}'`),
              });
            else if ('code' in stored) expect(got, where).toEqual(expected(stored));
            else if (index >= length) expect(got, where).toEqual(outOfRange);
            else {
              vec.elements[index] = stored;
              expect(got, where).toEqual({ ok: undefined });
            }
            break;
          }
          case 'pop': {
            const got = outcome(() => v.pop());
            const last = vec.elements.pop();
            expect(got, where).toEqual(last === undefined ? { ok: undefined } : jsValue(last.value));
            break;
          }
          case 'slice': {
            const raw = v.slice();
            expect(raw.byteLength, where).toBe(length * itemsizeOf(dtype));
            expect(
              Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).equals(fs.readFileSync(vec.file)),
              where,
            ).toBe(true);
            break;
          }
        }
        checkFile(vec);
      }
    } finally {
      for (const vec of vectors) vec.v.close();
    }
    if (COMMANDS >= 5000)
      for (const op of ['push', 'set', 'setMany', 'get', 'getText', 'setText', 'pop'])
        expect(counts.get(op)).toBeGreaterThan(0);
  });
});
