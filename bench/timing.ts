/**
 * In-process timing on top of tinybench. Every task runs a batch of `batch` operations per
 * sample, so the timer's own cost (tens of ns) is spread over the batch; a group's tasks
 * run one after the other, and the whole group is repeated `rounds` times so subject and
 * baselines alternate. Per round, a task's figure is its mean time per operation (total
 * time ÷ operations, so amortized costs such as file growth are included); the reported
 * figure is the best round, since other load on the machine only ever adds time.
 */

import { Bench, hrtimeNow } from 'tinybench';
import type { Measurement } from './types.js';

export interface TimedTask {
  name: string;
  /** Operations per call of `fn`. */
  batch: number;
  /** Bytes one operation moves, for MB/s. */
  bytesPerOp?: number;
  /** Runs `batch` operations; return something derived from the work so it is not elided. */
  fn: () => unknown;
  /** Untimed, after every sample (e.g. truncate a growing file back to zero). */
  afterEach?: () => void;
  note?: string;
}

export interface GroupOptions {
  rounds?: number;
  /** Milliseconds per task per round. */
  time?: number;
  warmupTime?: number;
}

/** Defaults, overridable for a quick run with BENCH_QUICK=1. */
const QUICK = process.env.BENCH_QUICK === '1';
export const DEFAULTS: Required<GroupOptions> = QUICK
  ? { rounds: 1, time: 60, warmupTime: 20 }
  : { rounds: 5, time: 200, warmupTime: 80 };

/** Something results flow into, so the JIT cannot drop the measured work. */
export let sink = 0;

export function runGroup(tasks: TimedTask[], options: GroupOptions = {}): Measurement[] {
  const { rounds, time, warmupTime } = { ...DEFAULTS, ...options };
  const perRound: number[][] = tasks.map(() => []);
  for (let round = 0; round < rounds; round++) {
    tasks.forEach((task, t) => {
      const bench = new Bench({ time, warmupTime, warmupIterations: 3, iterations: 5, now: hrtimeNow, throws: true });
      bench.add(
        task.name,
        () => {
          const result = task.fn();
          if (typeof result === 'number') sink += result;
        },
        task.afterEach ? { afterEach: task.afterEach } : {},
      );
      const [done] = bench.runSync();
      const result = done?.result;
      if (!result || result.error) throw result?.error ?? new Error(`${task.name}: no result`);
      // latency.mean is milliseconds per call of fn
      perRound[t]!.push((result.latency.mean * 1e6) / task.batch);
    });
  }
  return tasks.map((task, t) => {
    const rounds = perRound[t]!;
    const nsPerOp = Math.min(...rounds);
    const measurement: Measurement = { name: task.name, nsPerOp, opsPerSec: 1e9 / nsPerOp };
    // runs: every round's figure, in the unit the report shows (MB/s or ops/s)
    if (task.bytesPerOp !== undefined) {
      const bytes = task.bytesPerOp;
      measurement.mbPerSec = (bytes / nsPerOp) * 1e3;
      measurement.runs = rounds.map((ns) => (bytes / ns) * 1e3);
    } else {
      measurement.runs = rounds.map((ns) => 1e9 / ns);
    }
    if (task.note) measurement.note = task.note;
    return measurement;
  });
}
