/**
 * Scale: a 10^9-element float64 vector (8 GB sparse file). Opening it (mode r), with and
 * without reading its first and last elements, against the same on an 8 MB sparse file;
 * then get(0) against get(10^9 − 1) on the open vector.
 *
 * If get() throws on the 8 GB vector, that is recorded as a failed row and the reads are
 * measured again with getMany([i]) (which reads through the native side), so the O(1)
 * claims are still shown.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MmapVector } from 'mmvec';
import type { Fixtures } from './fixtures.js';
import { runGroup } from './timing.js';
import { type Comparison, type Target, compare, failedMeasurement } from './types.js';

const BIG_BYTES = 8e9;
const BIG_LAST = BIG_BYTES / 8 - 1; // 999_999_999
const SMALL_BYTES = 8e6;
const SMALL_LAST = SMALL_BYTES / 8 - 1; // 999_999
const OPENS = 20;
const BATCH = 10_000;

/** "Costs the same": within 0.8–1.25× of each other. */
const same =
  (label: string) =>
  (ratio: number): Target => ({ text: `${label}: 0.8–1.25×`, met: ratio >= 0.8 && ratio <= 1.25 });
/**
 * O(1) in the size: 1,000× the size costs less than twice the time (an O(n) open would be
 * ~0.001×). Looser than `same` because a far-apart first touch in a fresh mapping may
 * allocate one more page-table page, a constant.
 */
const constant = (ratio: number): Target => ({ text: 'O(1): ≥ 0.5× at 1,000× the size', met: ratio >= 0.5 });
const OPEN_GROUP = 'open (r) + close, 8 GB vs 8 MB (one op)';
const OPEN_READ_GROUP = 'open (r) + read first and last + close, 8 GB vs 8 MB (one op)';
const GET_GROUP = 'read at the end vs the start of 10^9 elements';

type Reader = (v: MmapVector, i: number) => number;
/** How a read of index `i` is written in a task's name. */
type Label = (i: number) => string;
const viaGet: Reader = (v, i) => v.get(i);
const viaGetMany: Reader = (v, i) => v.getMany([i])[0]!;

function sparseFile(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, bytes);
  fs.closeSync(fd);
  return file;
}

function openOnly(big: string, small: string) {
  return runGroup([
    {
      name: 'open 8 GB + close',
      batch: OPENS,
      fn: () => {
        let n = 0;
        for (let k = 0; k < OPENS; k++) {
          const v = MmapVector.open(big, { mode: 'r' });
          n += v.length;
          v.close();
        }
        return n;
      },
    },
    {
      name: 'open 8 MB + close',
      batch: OPENS,
      fn: () => {
        let n = 0;
        for (let k = 0; k < OPENS; k++) {
          const v = MmapVector.open(small, { mode: 'r' });
          n += v.length;
          v.close();
        }
        return n;
      },
    },
  ]);
}

function openAndRead(big: string, small: string, read: Reader, how: Label) {
  return runGroup([
    {
      name: `open 8 GB + ${how(0)} + ${how(BIG_LAST)} + close`,
      batch: OPENS,
      fn: () => {
        let s = 0;
        for (let k = 0; k < OPENS; k++) {
          const v = MmapVector.open(big, { mode: 'r' });
          s += read(v, 0) + read(v, BIG_LAST);
          v.close();
        }
        return s;
      },
    },
    {
      name: `open 8 MB + ${how(0)} + ${how(SMALL_LAST)} + close`,
      batch: OPENS,
      fn: () => {
        let s = 0;
        for (let k = 0; k < OPENS; k++) {
          const v = MmapVector.open(small, { mode: 'r' });
          s += read(v, 0) + read(v, SMALL_LAST);
          v.close();
        }
        return s;
      },
    },
  ]);
}

function endAndStart(vector: MmapVector, read: Reader, how: Label) {
  return runGroup([
    {
      name: `${how(BIG_LAST)} on 8 GB`,
      batch: BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < BATCH; k++) s += read(vector, BIG_LAST - (k & 1));
        return s;
      },
    },
    {
      name: `${how(0)} on 8 GB`,
      batch: BATCH,
      fn: () => {
        let s = 0;
        for (let k = 0; k < BATCH; k++) s += read(vector, k & 1);
        return s;
      },
    },
  ]);
}

export function bigOpen(fx: Fixtures): { comparisons: Comparison[]; notes: string[] } {
  const big = sparseFile(path.join(fx.dir, 'big.f64'), BIG_BYTES);
  const small = sparseFile(path.join(fx.dir, 'small.f64'), SMALL_BYTES);
  const notes = [
    'Scale: both files are sparse (ftruncate to 8e9 and 8e6 bytes), so the 8 GB and 8 MB rows differ only in size; each open maps afresh, so its two reads take first-touch page faults. The read-at-end loops alternate between two neighbouring indices (0/1 and 999999998/999999999) on one open vector.',
  ];
  const comparisons: Comparison[] = [];

  const [openBig, openSmall] = openOnly(big, small);
  comparisons.push(compare(OPEN_GROUP, openBig!, openSmall!, constant));

  const vector = MmapVector.open(big, { mode: 'r' });
  try {
    if (vector.length !== BIG_LAST + 1) throw new Error(`8 GB vector has length ${vector.length}`);
    let getError: unknown;
    try {
      viaGet(vector, 0);
      viaGet(vector, BIG_LAST);
    } catch (error) {
      getError = error;
    }
    let read = viaGet;
    let how: Label = (i) => `get(${i})`;
    if (getError !== undefined) {
      comparisons.push(
        compare(
          GET_GROUP,
          failedMeasurement(`get(${BIG_LAST}) on 8 GB`, getError),
          failedMeasurement('get(0) on 8 GB', getError),
          same('size-independent get'),
        ),
      );
      notes.push(
        'Scale: get(i) threw on the 8 GB vector (the failed row; get(0) throws the same, so "open + get(0) + get(999999999) + close" cannot run either), so the open-and-read and read-at-end rows after it read through getMany([i]) instead.',
      );
      read = viaGetMany;
      how = (i) => `getMany([${i}])`;
    }
    const [readBig, readSmall] = openAndRead(big, small, read, how);
    comparisons.push(compare(OPEN_READ_GROUP, readBig!, readSmall!, constant));
    const [last, first] = endAndStart(vector, read, how);
    comparisons.push(compare(GET_GROUP, last!, first!, same('size-independent read')));
  } finally {
    vector.close();
  }
  return { comparisons, notes };
}
