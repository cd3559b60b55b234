/** Files, arrays and databases the in-process suite reads and writes, all in one temp dir. */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open as openLmdb, type RootDatabase } from 'lmdb';
import { MmapVector } from 'mmvec';

/** 1M float64 = 8 MB. */
export const COUNT = 1_000_000;
/** Random index streams are read round-robin from a table of this many entries. */
export const INDEX_TABLE = 1 << 16;
export const INDEX_MASK = INDEX_TABLE - 1;

/** Deterministic xorshift32, so every run reads the same random indices. */
export function randomIndices(n: number, below: number, seed = 0x9e3779b9): Uint32Array {
  const out = new Uint32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x % below;
  }
  return out;
}

export interface Fixtures {
  dir: string;
  /** data.f64: 1M float64, open read-write (mode `a`). */
  vector: MmapVector;
  /** The same values in ordinary memory. */
  plain: Float64Array;
  /** fs.f64: a separate file with the same bytes, opened r+ for fs.readSync / fs.writeSync. */
  fsPath: string;
  fsFd: number;
  /** 1M entries, key = index (uint32), value = the 8 little-endian bytes of the float64. */
  lmdb: RootDatabase<Buffer, number>;
  lmdbLoadMs: number;
  indices: Uint32Array;
  close(): Promise<void>;
}

export async function createFixtures(): Promise<Fixtures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-bench-'));
  const plain = new Float64Array(COUNT);
  for (let i = 0; i < COUNT; i++) plain[i] = i * 0.5 + 0.25;

  const vector = MmapVector.open(path.join(dir, 'data.f64'), { mode: 'w+' });
  vector.pushArray(plain);

  const fsPath = path.join(dir, 'fs.f64');
  fs.writeFileSync(fsPath, new Uint8Array(plain.buffer));
  const fsFd = fs.openSync(fsPath, 'r+');

  // noSync: commits are not fsynced, like every other write measured here (none fsyncs).
  const lmdb = openLmdb<Buffer, number>({
    path: path.join(dir, 'lmdb'),
    keyEncoding: 'uint32',
    encoding: 'binary',
    noSync: true,
  });
  const started = performance.now();
  await lmdb.transaction(() => {
    for (let i = 0; i < COUNT; i++) lmdb.put(i, Buffer.from(plain.buffer, i * 8, 8));
  });
  const lmdbLoadMs = performance.now() - started;
  const check = lmdb.getBinary(COUNT - 1);
  if (!check || check.readDoubleLE(0) !== plain[COUNT - 1]) throw new Error('lmdb preload did not round-trip');

  return {
    dir,
    vector,
    plain,
    fsPath,
    fsFd,
    lmdb,
    lmdbLoadMs,
    indices: randomIndices(INDEX_TABLE, COUNT),
    async close() {
      vector.close();
      fs.closeSync(fsFd);
      await lmdb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
