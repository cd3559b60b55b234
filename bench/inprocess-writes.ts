/**
 * Writes: push of one value, pushArray of 8 MiB, and random set(i, v), against plain
 * memory, fs.writeSync and lmdb putSync. Growing files are cut back to zero between
 * samples (untimed), so they stay small.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { open as openLmdb } from 'lmdb';
import { MmapVector } from 'mmvec';
import { type Fixtures, INDEX_MASK } from './fixtures.js';
import { runGroup } from './timing.js';
import { type Comparison, atLeast, compare } from './types.js';

const ahead = atLeast(1, '> 1× (ahead)');

/** A growing vector or file is cut back once it holds this many float64 (8 MB). */
const PUSH_CAP = 1 << 20;
const PUSH_BATCH = 1000;

export async function pushOne(fx: Fixtures): Promise<Comparison[]> {
  const vector = MmapVector.open(path.join(fx.dir, 'push.f64'), { mode: 'w+' });
  const fd = fs.openSync(path.join(fx.dir, 'push.bin'), 'a');
  let fileBytes = 0;
  const eight = new Uint8Array(new Float64Array([1.5]).buffer);
  const db = openLmdb<Buffer, number>({
    path: path.join(fx.dir, 'lmdb-push'),
    keyEncoding: 'uint32',
    encoding: 'binary',
    noSync: true,
  });
  const value = Buffer.from(eight);
  let key = 0;
  try {
    const [push, write, put] = runGroup([
      {
        name: 'MmapVector push(v)',
        batch: PUSH_BATCH,
        fn: () => {
          let n = 0;
          for (let k = 0; k < PUSH_BATCH; k++) n = vector.push(1.5);
          return n;
        },
        afterEach: () => {
          if (vector.length >= PUSH_CAP) vector.clear();
        },
      },
      {
        name: 'fs.writeSync 8 B (O_APPEND)',
        batch: PUSH_BATCH,
        fn: () => {
          for (let k = 0; k < PUSH_BATCH; k++) fileBytes += fs.writeSync(fd, eight);
          return fileBytes;
        },
        afterEach: () => {
          if (fileBytes >= PUSH_CAP * 8) {
            fs.ftruncateSync(fd, 0);
            fileBytes = 0;
          }
        },
      },
      {
        name: 'lmdb putSync new key (8 B value)',
        batch: 50,
        fn: () => {
          for (let k = 0; k < 50; k++) db.putSync(key++, value);
          return key;
        },
        afterEach: () => {
          if (key >= PUSH_CAP) {
            db.clearSync();
            key = 0;
          }
        },
      },
    ]);
    return [compare('append one float64', push!, write!, ahead), compare('append one float64', push!, put!, ahead)];
  } finally {
    vector.close();
    fs.closeSync(fd);
    await db.close();
  }
}

const CHUNK = 1 << 20; // float64 elements: 8 MiB
const CHUNK_CAP = 8; // chunks before the file is cut back (64 MiB)

export function pushArray(fx: Fixtures): Comparison[] {
  const chunk = new Float64Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) chunk[i] = i * 0.25;
  const bytes = new Uint8Array(chunk.buffer);
  const vector = MmapVector.open(path.join(fx.dir, 'append.f64'), { mode: 'w+' });
  const fd = fs.openSync(path.join(fx.dir, 'append.bin'), 'a');
  let fileBytes = 0;
  try {
    const [mapped, write] = runGroup([
      {
        name: 'pushArray(8 MiB Float64Array)',
        batch: 1,
        bytesPerOp: bytes.byteLength,
        fn: () => vector.pushArray(chunk),
        afterEach: () => {
          if (vector.length >= CHUNK * CHUNK_CAP) vector.clear();
        },
      },
      {
        name: 'fs.writeSync 8 MiB (O_APPEND)',
        batch: 1,
        bytesPerOp: bytes.byteLength,
        fn: () => {
          let done = 0;
          while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
          fileBytes += done;
          return fileBytes;
        },
        afterEach: () => {
          if (fileBytes >= bytes.byteLength * CHUNK_CAP) {
            fs.ftruncateSync(fd, 0);
            fileBytes = 0;
          }
        },
      },
    ]);
    return [compare('append 8 MiB', mapped!, write!, atLeast(0.8))];
  } finally {
    vector.close();
    fs.closeSync(fd);
  }
}

export function randomSet(fx: Fixtures): Comparison[] {
  const { vector, plain, indices, fsFd, lmdb } = fx;
  const BATCH = 1000;
  const eight = new Uint8Array(new Float64Array([2.5]).buffer);
  const value = Buffer.from(eight);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const [set, array, write, put] = runGroup([
    {
      name: 'MmapVector set(i, v)',
      batch: BATCH,
      fn: () => {
        for (let k = 0; k < BATCH; k++) vector.set(indices[a++ & INDEX_MASK]!, k * 0.5);
        return a;
      },
    },
    {
      name: 'Float64Array[i] = v',
      batch: BATCH,
      fn: () => {
        for (let k = 0; k < BATCH; k++) plain[indices[b++ & INDEX_MASK]!] = k * 0.5;
        return b;
      },
    },
    {
      name: 'fs.writeSync 8 B at offset',
      batch: 200,
      fn: () => {
        for (let k = 0; k < 200; k++) fs.writeSync(fsFd, eight, 0, 8, indices[c++ & INDEX_MASK]! * 8);
        return c;
      },
    },
    {
      name: 'lmdb putSync existing key (8 B value)',
      batch: 50,
      fn: () => {
        for (let k = 0; k < 50; k++) lmdb.putSync(indices[d++ & INDEX_MASK]!, value);
        return d;
      },
    },
  ]);
  return [
    compare('random write, 1M float64', set!, array!),
    compare('random write, 1M float64', set!, write!, ahead),
    compare('random write, 1M float64', set!, put!, ahead),
  ];
}
