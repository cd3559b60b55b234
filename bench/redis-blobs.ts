/**
 * 1 MiB blob transfers through ioredis (redis-benchmark cannot send binary arguments):
 * `total` requests with `inFlight` outstanding at any time, timed end to end.
 */

import type Redis from 'ioredis';
import { median } from './types.js';

export const BLOB_BYTES = 1 << 20;
export const REQUESTS = process.env.BENCH_QUICK === '1' ? 40 : 200;
export const IN_FLIGHT = 8;

/** Seconds to complete `total` calls of `send`, `inFlight` at a time. */
async function transfer(send: () => Promise<unknown>, total = REQUESTS, inFlight = IN_FLIGHT): Promise<number> {
  let issued = 0;
  const worker = async () => {
    while (issued < total) {
      issued++;
      await send();
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export interface BlobCase {
  name: string;
  send: () => Promise<unknown>;
  /** Untimed, before each run (e.g. empty the vector ADDBLOB appends to). */
  reset?: () => Promise<unknown>;
}

/** MB/s (10^6 bytes/s) of each run of each case, the cases alternating, after one warm-up run each. */
export async function blobRuns(cases: BlobCase[], runs: number): Promise<number[][]> {
  const out: number[][] = cases.map(() => []);
  for (let round = -1; round < runs; round++) {
    for (const [i, c] of cases.entries()) {
      await c.reset?.();
      const seconds = await transfer(c.send);
      if (round >= 0) out[i]!.push((REQUESTS * BLOB_BYTES) / seconds / 1e6);
    }
  }
  return out;
}

export function blobMeasurement(name: string, mbPerSecRuns: number[], note: string) {
  const mbPerSec = median(mbPerSecRuns);
  const opsPerSec = (mbPerSec * 1e6) / BLOB_BYTES;
  return { name, mbPerSec, opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: mbPerSecRuns, note };
}

export function checkLength(reply: unknown, what: string): void {
  if (!Buffer.isBuffer(reply) || reply.length !== BLOB_BYTES) {
    throw new Error(
      `${what} replied ${Buffer.isBuffer(reply) ? `${reply.length} bytes` : typeof reply}, expected ${BLOB_BYTES}`,
    );
  }
}

export type { Redis };
