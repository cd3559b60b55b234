/**
 * In-process timing on top of tinybench. Every task runs a batch of `batch` operations per
 * sample, so the timer's own cost (tens of ns) is spread over the batch; a group's tasks
 * run one after the other, and the whole group is repeated `rounds` times so subject and
 * baselines alternate. A task's figure is the median over rounds of its mean time per
 * operation (total time ÷ operations: amortized costs such as file growth are included).
 */

import { Bench, hrtimeNow } from 'tinybench';
import { type Measurement, median } from './types.js';

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
const DEFAULTS: Required<GroupOptions> = QUICK ? { rounds: 1, time: 60, warmupTime: 20 } : { rounds: 3, time: 300, warmupTime: 100 };

/** Something results flow into, so the JIT cannot drop the measured work. */
export let sink = 0;

export function runGroup(tasks: TimedTask[], options: GroupOptions = {}): Measurement[] {
  const { rounds, time, warmupTime } = { ...DEFAULTS, ...options };
  const perRound: number[][] = tasks.map(() => []);
  for (let round = 0; round < rounds; round++) {
    tasks.forEach((task, t) => {
      const bench = new Bench({ time, warmupTime, warmupIterations: 3, iterations: 5, now: hrtimeNow, throws: true });
      bench.add(task.name, () => {
        const result = task.fn();
        if (typeof result === 'number') sink += result;
      }, task.afterEach ? { afterEach: task.afterEach } : {});
      const [done] = bench.runSync();
      const result = done?.result;
      if (!result || result.error) throw result?.error ?? new Error(`${task.name}: no result`);
      // latency.mean is milliseconds per call of fn
      perRound[t]!.push((result.latency.mean * 1e6) / task.batch);
    });
  }
  return tasks.map((task, t) => {
    const nsPerOp = median(perRound[t]!);
    const measurement: Measurement = { name: task.name, nsPerOp, opsPerSec: 1e9 / nsPerOp };
    if (task.bytesPerOp !== undefined) measurement.mbPerSec = (task.bytesPerOp / nsPerOp) * 1e3;
    if (task.note) measurement.note = task.note;
    return measurement;
  });
}
