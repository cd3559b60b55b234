/**
 * Suite 2, Redis: one redis-server with the module. Usage: node redis.js <out.json>
 * (run by run.js; prints progress on stderr).
 *
 * Command pairs run through redis-benchmark (-P 16, default 50 clients), subject and
 * baseline alternating, RUNS times each; blob transfers run through ioredis.
 */

import * as fs from 'node:fs';
import { BLOB_BYTES, IN_FLIGHT, REQUESTS, blobMeasurement, blobRuns, checkLength } from './redis-blobs.js';
import { PIPELINE, TARGET_SECONDS, calibrate, redisBenchmark } from './redis-benchmark.js';
import { measureFilterCost } from './redis-filter.js';
import { startServer } from './redis-server.js';
import { type Comparison, type Measurement, type Target, atLeast, compare, median } from './types.js';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = QUICK ? 1 : 5;
const BLOB_RUNS = QUICK ? 1 : 5;
/** Elements preloaded into `v`: enough for MMVEC.GETBLOB v 0 131072 (1 MiB). */
const PRELOAD = 262_144;

interface Pair {
  group: string;
  subject: string[];
  baseline: string[];
  target?: (ratio: number) => Target;
  reset?: () => Promise<void>;
}

export async function runRedis(): Promise<{ comparisons: Comparison[]; notes: string[]; seconds: number }> {
  const started = performance.now();
  const server = await startServer();
  const { redis, port } = server;
  const comparisons: Comparison[] = [];
  try {
    // Fixtures. Values are i + 0.5, so the vector's replies and the lists' elements are
    // the same short strings ("0.5", "1.5", …).
    const values = new Float64Array(PRELOAD).map((_, i) => i + 0.5);
    const text = (n: number) => Array.from(values.subarray(0, n), String);
    await redis.call('MMVEC.OPEN', 'v', 'v.f64');
    await redis.call('MMVEC.CLEAR', 'v');
    await redis.call('MMVEC.ADDBLOB', 'v', Buffer.from(values.buffer));
    await redis.call('MMVEC.OPEN', 'v2', 'v2.f64');
    await redis.call('MMVEC.OPEN', 'v3', 'v3.f64');
    await redis.set('k', 'abc');
    await redis.rpush('l100', ...text(100));
    await redis.rpush('l1000', ...text(1000));
    const range = await redis.call('MMVEC.RANGE', 'v', '0', '999');
    if (JSON.stringify(range) !== JSON.stringify(await redis.lrange('l1000', 0, 999))) throw new Error('MMVEC.RANGE v and LRANGE l1000 differ');
    const fsync = ((await redis.call('CONFIG', 'GET', 'mmvec.fsync')) as string[])[1] ?? '?';

    const resetAppend = async () => {
      await redis.call('VCLEAR', 'v2');
      await redis.del('l');
    };
    const indices = Array.from({ length: 100 }, (_, i) => String(i));
    const pairs: Pair[] = [
      { group: 'read one element', subject: ['VGET', 'v', '5'], baseline: ['GET', 'k'], target: atLeast(0.95) },
      { group: 'write one element', subject: ['VSET', 'v', '5', '1.5'], baseline: ['SET', 'k', 'abc'], target: atLeast(0.9) },
      { group: 'append one value', subject: ['VADD', 'v2', '1.5'], baseline: ['RPUSH', 'l', '1.5'], target: atLeast(0.7), reset: resetAppend },
      { group: 'read 100 values', subject: ['VMGET', 'v', ...indices], baseline: ['LRANGE', 'l100', '0', '99'], target: atLeast(0.9) },
      { group: 'read a range of 1,000', subject: ['MMVEC.RANGE', 'v', '0', '999'], baseline: ['LRANGE', 'l1000', '0', '999'] },
    ];
    for (const pair of pairs) {
      const t = performance.now();
      const label = (cmd: string[]) => (cmd[0] === 'VMGET' ? 'VMGET v 0 1 … 99' : cmd.join(' '));
      process.stderr.write(`  redis: ${label(pair.subject)} vs ${label(pair.baseline)} … `);
      const nSubject = await calibrate(port, pair.subject, pair.reset);
      const nBaseline = await calibrate(port, pair.baseline, pair.reset);
      const runs: [number[], number[]] = [[], []];
      for (let r = 0; r < RUNS; r++) {
        await pair.reset?.();
        runs[0].push(await redisBenchmark(port, nSubject, pair.subject));
        await pair.reset?.();
        runs[1].push(await redisBenchmark(port, nBaseline, pair.baseline));
      }
      const measure = (cmd: string[], n: number, rps: number[]): Measurement => {
        const opsPerSec = median(rps);
        return { name: label(cmd), opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: rps, note: `-n ${n}` };
      };
      comparisons.push(compare(pair.group, measure(pair.subject, nSubject, runs[0]), measure(pair.baseline, nBaseline, runs[1]), pair.target));
      process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    }
    await resetAppend();

    // 1 MiB blobs through ioredis.
    process.stderr.write('  redis: 1 MiB blobs … ');
    const t = performance.now();
    const blob = await server.connect();
    const bytes = Buffer.from(values.buffer, 0, BLOB_BYTES);
    await blob.set('big', bytes);
    const count = String(BLOB_BYTES / 8);
    checkLength(await blob.callBuffer('MMVEC.GETBLOB', 'v', '0', count), 'MMVEC.GETBLOB');
    checkLength(await blob.getBuffer('big'), 'GET big');
    const [getBlob, get, addBlob, set] = await blobRuns(
      [
        { name: 'getblob', send: () => blob.callBuffer('MMVEC.GETBLOB', 'v', '0', count) },
        { name: 'get', send: () => blob.getBuffer('big') },
        { name: 'addblob', send: () => blob.call('MMVEC.ADDBLOB', 'v3', bytes), reset: () => blob.call('MMVEC.CLEAR', 'v3') },
        { name: 'set', send: () => blob.set('bigw', bytes) },
      ],
      BLOB_RUNS,
    );
    await blob.call('MMVEC.CLEAR', 'v3');
    const gbps = atLeast(1000 / 1, '≥ 1000 MB/s');
    const absolute = (m: Measurement) => (): Target => gbps(m.mbPerSec ?? 0);
    const how = `${REQUESTS} × 1 MiB, ${IN_FLIGHT} in flight`;
    const mGetBlob = blobMeasurement(`MMVEC.GETBLOB v 0 ${count}`, getBlob!, how);
    const mAddBlob = blobMeasurement('MMVEC.ADDBLOB v3 <1 MiB>', addBlob!, how);
    comparisons.push(
      compare('1 MiB blob out (MB/s)', mGetBlob, blobMeasurement('GET big (1 MiB string)', get!, how), absolute(mGetBlob)),
      compare('1 MiB blob in (MB/s)', mAddBlob, blobMeasurement('SET bigw <1 MiB>', set!, how), absolute(mAddBlob)),
    );
    process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    process.stderr.write('  redis: GET with and without the module (command filter) … ');
    const tf = performance.now();
    const filter = await measureFilterCost(RUNS);
    if (filter.comparison) comparisons.push(filter.comparison);
    process.stderr.write(`${((performance.now() - tf) / 1000).toFixed(1)} s\n`);

    const notes = [
      `\`${server.commandLine}\` (no module arguments); module config mmvec.fsync = ${fsync} (the default: a background thread fdatasyncs dirty vector files once a second).`,
      `Command pairs: redis-benchmark -P ${PIPELINE} -n N -q --csv (50 clients, the default), N calibrated per command so one run takes about ${TARGET_SECONDS} s; subject and baseline alternate, ${RUNS} runs each; the figure is the median run, the ratio is the ratio of medians. ns/op is 1e9 ÷ requests/s (server throughput, not latency).`,
      `v holds ${PRELOAD.toLocaleString('en-US')} float64 (i + 0.5) loaded with MMVEC.ADDBLOB; l100 and l1000 hold the same values as strings, so VMGET/MMVEC.RANGE and LRANGE reply the same bytes. VADD v2 and RPUSH l are emptied (VCLEAR v2, DEL l) before every run.`,
      `Blobs: ioredis (callBuffer / getBuffer), ${how}, ${BLOB_RUNS} runs each after one warm-up run, the four cases alternating; MB = 10^6 bytes. MMVEC.ADDBLOB v3 is emptied before each run (a run appends ${REQUESTS} MiB). Client-side parsing in Node is part of these figures for both the subject and the baseline.`,
      filter.note,
    ];
    return { comparisons, notes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  const out = process.argv[2];
  runRedis().then(
    ({ comparisons, notes, seconds }) => {
      const json = JSON.stringify({ suite: 'redis', title: 'Suite 2 — Redis module', seconds, comparisons, notes }, null, 2);
      if (out) fs.writeFileSync(out, json);
      else process.stdout.write(`${json}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
