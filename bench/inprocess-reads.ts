/**
 * Reads: random get(i), view()[i], sequential scans and 1,000-index gathers, each against
 * a plain Float64Array (the physical limit), fs.readSync and lmdb. Every task body is its
 * own function literal, so V8 keeps separate type feedback for each loop.
 */

import * as fs from 'node:fs';
import { type Fixtures, COUNT, INDEX_MASK, randomIndices } from './fixtures.js';
import { runGroup } from './timing.js';
import { type Comparison, type Target, atLeast, compare } from './types.js';

const ahead = atLeast(1, '> 1× (ahead)');
const BATCH = 10_000;
const SLOW_BATCH = 500;

export function randomGet(fx: Fixtures): Comparison[] {
  const { vector, plain, indices, fsFd, lmdb } = fx;
  const cell = new Float64Array(1);
  const cellBytes = new Uint8Array(cell.buffer);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const [get, array, readSync, lmdbGet] = runGroup([
    {
      name: 'MmapVector get(i)',
      batch: BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < BATCH; k++) s += vector.get(indices[a++ & INDEX_MASK]!);
        return s;
      },
    },
    {
      name: 'Float64Array[i]',
      batch: BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < BATCH; k++) s += plain[indices[b++ & INDEX_MASK]!]!;
        return s;
      },
    },
    {
      name: 'fs.readSync 8 B at offset',
      batch: SLOW_BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < SLOW_BATCH; k++) {
          fs.readSync(fsFd, cellBytes, 0, 8, indices[c++ & INDEX_MASK]! * 8);
          s += cell[0]!;
        }
        return s;
      },
    },
    {
      name: 'lmdb getBinary (8 B value)',
      batch: SLOW_BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < SLOW_BATCH; k++) s += lmdb.getBinary(indices[d++ & INDEX_MASK]!)!.readDoubleLE(0);
        return s;
      },
    },
  ]);
  const maxNs = (ns: number): Target => ({ text: '≤ 40 ns/op', met: ns <= 40 });
  return [
    compare('random read, 1M float64', get!, array!, () => maxNs(get!.nsPerOp)),
    compare('random read, 1M float64', get!, readSync!, ahead),
    compare('random read, 1M float64', get!, lmdbGet!, ahead),
  ];
}

export function randomView(fx: Fixtures): Comparison[] {
  const { vector, plain, indices } = fx;
  const view = vector.view();
  let a = 0;
  let b = 0;
  const [mapped, array] = runGroup([
    {
      name: 'view()[i]',
      batch: BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < BATCH; k++) s += view[indices[a++ & INDEX_MASK]!]!;
        return s;
      },
    },
    {
      name: 'Float64Array[i]',
      batch: BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < BATCH; k++) s += plain[indices[b++ & INDEX_MASK]!]!;
        return s;
      },
    },
  ]);
  return [compare('random read through view()', mapped!, array!, atLeast(0.9))];
}

export function sequentialScan(fx: Fixtures): Comparison[] {
  const { vector, plain } = fx;
  const view = vector.view();
  const [mapped, array] = runGroup([
    {
      name: 'sum over view()',
      batch: COUNT,
      bytesPerOp: 8,
      fn: () => {
        let s = 0;
        for (let i = 0; i < view.length; i++) s += view[i]!;
        return s;
      },
    },
    {
      name: 'sum over Float64Array',
      batch: COUNT,
      bytesPerOp: 8,
      fn: () => {
        let s = 0;
        for (let i = 0; i < plain.length; i++) s += plain[i]!;
        return s;
      },
    },
  ]);
  return [compare('sequential scan (sum of 1M), per element', mapped!, array!, atLeast(0.9))];
}

export function gather(fx: Fixtures): Comparison[] {
  const { vector, plain, fsFd } = fx;
  const SETS = 64;
  const N = 1000;
  const sets: number[][] = Array.from({ length: SETS }, (_, s) => Array.from(randomIndices(N, COUNT, 0x1234567 + s)));
  const cell = new Float64Array(1);
  const cellBytes = new Uint8Array(cell.buffer);
  let a = 0;
  let b = 0;
  let c = 0;
  const [many, array, readSync] = runGroup([
    {
      name: 'getMany(1,000 indices)',
      batch: 10,
      fn: () => {
        let s = 0;
        for (let k = 0; k < 10; k++) s += vector.getMany(sets[a++ % SETS]!)[N - 1]!;
        return s;
      },
    },
    {
      name: 'gather 1,000 from Float64Array',
      batch: 10,
      fn: () => {
        let s = 0;
        for (let k = 0; k < 10; k++) {
          const ix = sets[b++ % SETS]!;
          const out = new Float64Array(N);
          for (let j = 0; j < N; j++) out[j] = plain[ix[j]!]!;
          s += out[N - 1]!;
        }
        return s;
      },
    },
    {
      name: '1,000 × fs.readSync 8 B',
      batch: 1,
      fn: () => {
        const ix = sets[c++ % SETS]!;
        const out = new Float64Array(N);
        for (let j = 0; j < N; j++) {
          fs.readSync(fsFd, cellBytes, 0, 8, ix[j]! * 8);
          out[j] = cell[0]!;
        }
        return out[N - 1]!;
      },
    },
  ]);
  return [
    compare('gather 1,000 random indices (one op = 1,000 reads)', many!, array!),
    compare('gather 1,000 random indices (one op = 1,000 reads)', many!, readSync!, ahead),
  ];
}
