/**
 * Acceptance: a million float64 values in one pushArray, read back through view() and
 * get(), one pop, close, reopen, and the file compared byte for byte.
 */

import * as fs from 'node:fs';
import { expect, it } from 'vitest';
import { MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();

const N = 1_000_000;

/** Deterministic, varied values: fractions, negatives, large and tiny magnitudes. */
function values(): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = Math.sin(i) * 10 ** ((i % 41) - 20) + (i % 3 === 0 ? -i : i);
  return out;
}

/** Sample indices: both ends, page and mapping boundaries, and a spread in between. */
function sampleIndices(): number[] {
  const fixed = [0, 1, 2, 511, 512, 8191, 8192, 65535, 65536, 131071, 131072, 123456, 500000, 999998, 999999];
  let seed = 12345;
  const random = Array.from({ length: 1000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % N;
  });
  return [...fixed, ...random];
}

it('1,000,000 float64: pushArray, view, get, pop, close, reopen, bytes on disk', () => {
  const file = tmp.file('million.f64');
  const expected = values();
  const indices = sampleIndices();

  const v = MmapVector.open(file, { dtype: 'float64', mode: 'w+' });
  expect(v.pushArray(expected)).toBe(N);
  expect(v.length).toBe(N);
  expect(fs.statSync(file).size).toBe(N * 8);

  const view = v.view();
  expect(view).toBeInstanceOf(Float64Array);
  expect(view.length).toBe(N);
  for (const i of indices) {
    expect(view[i], `view[${i}]`).toBe(expected[i]);
    expect(v.get(i), `get(${i})`).toBe(expected[i]);
  }
  // The whole view at once, as bytes.
  expect(Buffer.from(view.buffer, view.byteOffset, view.byteLength).equals(Buffer.from(expected.buffer))).toBe(true);
  expect(Array.from(v.getMany([0, 999999, 500000]))).toEqual([expected[0], expected[999999], expected[500000]]);
  expect(Array.from(v.slice(-2))).toEqual([expected[999998], expected[999999]]);

  expect(v.pop()).toBe(expected[N - 1]);
  expect(v.length).toBe(N - 1);
  expect(view.length).toBe(0); // detached by the shrink
  expect(fs.statSync(file).size).toBe((N - 1) * 8);
  expect(() => v.get(N - 1)).toThrow('index 999999 is out of range for length 999999');
  v.close();
  expect(v.closed).toBe(true);

  const again = MmapVector.open(file, { mode: 'r' });
  expect(again.length).toBe(N - 1);
  expect(again.dtype).toBe('float64');
  for (const i of indices) {
    if (i < N - 1) expect(again.get(i), `reopened get(${i})`).toBe(expected[i]);
  }
  expect(again.get(N - 2)).toBe(expected[N - 2]);
  expect(() => again.get(N - 1)).toThrow(expect.objectContaining({ code: 'ERR_MMVEC_OUT_OF_RANGE' }));
  again.close();

  const onDisk = fs.readFileSync(file);
  expect(onDisk.length).toBe((N - 1) * 8);
  const expectedBytes = Buffer.from(expected.buffer, 0, (N - 1) * 8);
  expect(onDisk.equals(expectedBytes)).toBe(true);
});
