/**
 * Suite 2, Redis: one redis-server holding the built-ins, the seed's module, the plain C
 * reference module (ceiling.so) and mmvec, loaded in that order so the seed's command
 * names win. Usage: node redis.js <out.json> (run by run.js; prints progress on stderr).
 *
 * Each kind of work runs through redis-benchmark for every command that does it (mmvec,
 * the built-in, the reference module, the seed), the commands alternating, RUNS times
 * each; blob transfers run through ioredis; the command filter's cost is measured on two
 * Redis 8 servers (redis-filter.ts).
 */

import * as fs from 'node:fs';
import { BLOB_BYTES, IN_FLIGHT, REQUESTS, blobMeasurement, blobRuns, checkLength } from './redis-blobs.js';
import { PIPELINE, TARGET_SECONDS, calibrate, redisBenchmark } from './redis-benchmark.js';
import { measureFilterCost } from './redis-filter.js';
import { buildPeers } from './redis-peers.js';
import { startServer } from './redis-server.js';
import { type Comparison, type Measurement, type OverviewRow, type Target, atLeast, compare, median } from './types.js';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = QUICK ? 1 : 5;
const BLOB_RUNS = QUICK ? 1 : 5;
/** Elements preloaded into `v`: enough for MMVEC.GETBLOB v 0 131072 (1 MiB). */
const PRELOAD = 262_144;
/** Clients of every redis-benchmark run (its default). */
const CLIENTS = 50;

/** One kind of work and the command each contender does it with. */
interface Work {
  work: string;
  pipeline: number;
  mmvec: string[];
  builtin: string[];
  ceiling?: string[][];
  seed?: string[];
  target: (ratio: number) => Target;
  /** Untimed, before every run (e.g. empty what an append grows). */
  reset?: () => Promise<void>;
}

export async function runRedis(): Promise<{
  comparisons: Comparison[];
  overview: OverviewRow[];
  notes: string[];
  seconds: number;
}> {
  const started = performance.now();
  const peers = buildPeers();
  const server = await startServer('missing' in peers ? {} : { preload: [peers.seed, peers.ceiling] });
  const { redis, port } = server;
  const comparisons: Comparison[] = [];
  const overview: OverviewRow[] = [];
  try {
    // Fixtures. Values are i + 0.5, so the vectors' replies, the lists' elements and the
    // hash's fields are the same short strings ("0.5", "1.5", …).
    const values = new Float64Array(PRELOAD).map((_, i) => i + 0.5);
    const text = (n: number) => Array.from(values.subarray(0, n), String);
    await redis.call('MMVEC.OPEN', 'v', 'v.f64');
    await redis.call('MMVEC.CLEAR', 'v');
    await redis.call('MMVEC.ADDBLOB', 'v', Buffer.from(values.buffer));
    await redis.call('MMVEC.OPEN', 'v2', 'v2.f64');
    await redis.call('MMVEC.OPEN', 'v3', 'v3.f64');
    await redis.set('k', 'abc');
    await redis.rpush('l100', ...text(100));
    await redis.hset('h', Object.fromEntries(text(100).map((value, i) => [`f${i}`, value])));
    const withPeers = !('missing' in peers);
    if (withPeers) {
      await redis.call('ceil.set', 'c', '5', '1.5');
      await redis.call('MMAP', 'sv', 'sv.mmap');
      await redis.call('MMAP', 'sv2', 'sv2.mmap');
      if (Number(await redis.call('VCOUNT', 'sv')) === 0) await redis.call('VADD', 'sv', ...text(1000));
    }
    const range = await redis.call('MMVEC.RANGE', 'v', '0', '99');
    if (JSON.stringify(range) !== JSON.stringify(await redis.lrange('l100', 0, 99)))
      throw new Error('MMVEC.RANGE v and LRANGE l100 differ');
    const fsync = ((await redis.call('CONFIG', 'GET', 'mmvec.fsync')) as string[])[1] ?? '?';

    const resetAppend = async () => {
      await redis.call('MMVEC.CLEAR', 'v2');
      await redis.del('l');
      if (withPeers) await redis.call('VCLEAR', 'sv2');
    };
    const indices = Array.from({ length: 100 }, (_, i) => String(i));
    const fields = indices.map((i) => `f${i}`);
    const works: Work[] = [
      {
        work: 'read one',
        pipeline: PIPELINE,
        mmvec: ['MMVEC.GET', 'v', '5'],
        builtin: ['GET', 'k'],
        ceiling: [
          ['ceil.int', 'c', '5'],
          ['ceil.get', 'c', '5'],
        ],
        seed: ['VGET', 'sv', '5'],
        target: atLeast(0.95),
      },
      {
        work: 'write one',
        pipeline: PIPELINE,
        mmvec: ['MMVEC.SET', 'v', '5', '5.5'],
        builtin: ['SET', 'k', 'abc'],
        ceiling: [['ceil.set', 'c', '5', '1.5']],
        seed: ['VSET', 'sv', '5', '5.5'],
        target: atLeast(0.8),
      },
      {
        work: 'append one',
        pipeline: PIPELINE,
        mmvec: ['MMVEC.ADD', 'v2', '1.5'],
        builtin: ['RPUSH', 'l', '1.5'],
        seed: ['VADD', 'sv2', '1.5'],
        target: atLeast(0.7),
        reset: resetAppend,
      },
      {
        work: 'read 100 by index',
        pipeline: PIPELINE,
        mmvec: ['MMVEC.MGET', 'v', ...indices],
        builtin: ['HMGET', 'h', ...fields],
        seed: ['VMGET', 'sv', ...indices],
        target: atLeast(4),
      },
      {
        work: 'read 100 in a row',
        pipeline: PIPELINE,
        mmvec: ['MMVEC.RANGE', 'v', '0', '99'],
        builtin: ['LRANGE', 'l100', '0', '99'],
        target: atLeast(0.95),
      },
    ];
    // Un-pipelined, as most applications send: every command within 5% of its built-in.
    for (const w of works.slice())
      works.push({
        ...w,
        work: `${w.work}, -P 1`,
        pipeline: 1,
        ceiling: undefined,
        seed: undefined,
        target: atLeast(0.95),
      });

    for (const w of works) {
      const t = performance.now();
      process.stderr.write(`  redis: ${w.work}: ${label(w.mmvec)} vs ${label(w.builtin)} … `);
      const contenders = [
        w.mmvec,
        w.builtin,
        ...(withPeers ? [...(w.ceiling ?? []), ...(w.seed ? [w.seed] : [])] : []),
      ];
      const requests: number[] = [];
      for (const command of contenders) requests.push(await calibrate(port, command, w.reset, w.pipeline));
      const runs = contenders.map((): number[] => []);
      for (let r = 0; r < RUNS; r++) {
        for (const [i, command] of contenders.entries()) {
          await w.reset?.();
          runs[i]!.push(await redisBenchmark(port, requests[i]!, command, w.pipeline));
        }
      }
      const measured = contenders.map((command, i): Measurement => {
        const opsPerSec = median(runs[i]!);
        return {
          name: label(command),
          opsPerSec,
          nsPerOp: 1e9 / opsPerSec,
          runs: runs[i],
          note: `-P ${w.pipeline} -n ${requests[i]}`,
        };
      });
      const [mmvec, builtin, ...rest] = measured as [Measurement, Measurement, ...Measurement[]];
      const ceiling = withPeers ? rest.slice(0, w.ceiling?.length ?? 0) : [];
      const seed = withPeers && w.seed ? rest[rest.length - 1] : undefined;
      const main = compare(w.work, mmvec, builtin, w.target);
      comparisons.push(main, ...[...ceiling, ...(seed ? [seed] : [])].map((peer) => compare(w.work, mmvec, peer)));
      overview.push({ work: w.work, builtin, ceiling, seed, mmvec, target: main.target });
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
        {
          name: 'addblob',
          send: () => blob.call('MMVEC.ADDBLOB', 'v3', bytes),
          reset: () => blob.call('MMVEC.CLEAR', 'v3'),
        },
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
      compare(
        '1 MiB blob out (MB/s)',
        mGetBlob,
        blobMeasurement('GET big (1 MiB string)', get!, how),
        absolute(mGetBlob),
      ),
      compare('1 MiB blob in (MB/s)', mAddBlob, blobMeasurement('SET bigw <1 MiB>', set!, how), absolute(mAddBlob)),
    );
    process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    process.stderr.write('  redis: GET with and without the module (command filter) … ');
    const tf = performance.now();
    const filter = await measureFilterCost(RUNS);
    comparisons.push(...filter.comparisons);
    process.stderr.write(`${((performance.now() - tf) / 1000).toFixed(1)} s\n`);

    const notes = [
      `\`${server.commandLine}\` (no module arguments); module config mmvec.fsync = ${fsync} (the default: a background thread fdatasyncs dirty vector files once a second).`,
      'missing' in peers
        ? `The reference modules were not loaded (${peers.missing}): the ceiling and seed columns are empty.`
        : "The seed's module (`seed.so`, extracted from the seed notebook) and the plain C reference (`ceiling.so`: `ceil.int` replies without touching the keyspace, `ceil.get` opens the key and replies a double, `ceil.set` stores a double and replicates verbatim) are built by `../shared/bench-peers/build.sh` and loaded before mmvec, so `MMAP`, `VGET`, `VSET`, `VADD`, `VMGET` are the seed's commands here and mmvec is measured by its `MMVEC.*` names.",
      `Commands: redis-benchmark -P 16 (or -P 1) -n N -q --csv with ${CLIENTS} clients (its default), N calibrated per command so one run takes about ${TARGET_SECONDS} s; for each kind of work the contenders alternate, ${RUNS} runs each; the figure is the median run, a ratio is the ratio of medians. ns/op is 1e9 ÷ requests/s (server throughput, not latency).`,
      `v holds ${PRELOAD.toLocaleString('en-US')} float64 (i + 0.5) loaded with MMVEC.ADDBLOB; l100 and the hash h (fields f0 … f99) hold the same values as strings, and the seed's sv the first 1,000, so MMVEC.MGET, HMGET, VMGET, MMVEC.RANGE and LRANGE reply the same texts. MMVEC.ADD v2, RPUSH l and the seed's VADD sv2 are emptied (MMVEC.CLEAR, DEL, VCLEAR) before every run.`,
      `Blobs: ioredis (callBuffer / getBuffer), ${how}, ${BLOB_RUNS} runs each after one warm-up run, the four cases alternating; MB = 10^6 bytes. MMVEC.ADDBLOB v3 is emptied before each run (a run appends ${REQUESTS} MiB). Client-side parsing in Node is part of these figures for both the subject and the baseline.`,
      filter.note,
    ];
    return { comparisons, overview, notes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.stop();
  }
}

/** A command as the tables show it (100 indices or fields shortened). */
function label(command: string[]): string {
  return command.length > 10 ? `${command.slice(0, 4).join(' ')} … ${command[command.length - 1]}` : command.join(' ');
}

if (require.main === module) {
  const out = process.argv[2];
  runRedis().then(
    ({ comparisons, overview, notes, seconds }) => {
      const json = JSON.stringify(
        { suite: 'redis', title: 'Suite 2 — Redis module', seconds, comparisons, overview, notes },
        null,
        2,
      );
      if (out) fs.writeFileSync(out, json);
      else process.stdout.write(`${json}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
