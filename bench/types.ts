/** Result shapes shared by the suites, the orchestrator and the report. */

/** One measured operation. `opsPerSec` is always filled; `mbPerSec` for byte streams. */
export interface Measurement {
  name: string;
  opsPerSec: number;
  nsPerOp: number;
  /** Throughput in MB/s (10^6 bytes per second), for operations that move bytes. */
  mbPerSec?: number;
  /** Individual runs (ops/s, or MB/s when `mbPerSec` is set), when the figure is a median of runs. */
  runs?: number[];
  /** Anything a reader needs to interpret the figure (sizes, N, caveats). */
  note?: string;
  /** Set when the operation could not be measured because it threw: the error. */
  failed?: string;
}

/** A target from DESIGN.md "Performance targets", checked against a comparison. */
export interface Target {
  text: string;
  met: boolean;
}

/** The subject (mmvec) against one baseline. `ratio` = subject speed ÷ baseline speed. */
export interface Comparison {
  group: string;
  subject: Measurement;
  baseline: Measurement;
  ratio: number;
  target?: Target;
}

/** One kind of work done by a built-in command, the reference modules and mmvec, in one run. */
export interface OverviewRow {
  work: string;
  builtin: Measurement;
  /** `ceiling.so`'s commands for the same work (none where it has none). */
  ceiling: Measurement[];
  /** The seed's module, where it has the command. */
  seed?: Measurement;
  mmvec: Measurement;
  /** mmvec ÷ built-in against its target. */
  target?: Target;
}

export interface SuiteResult {
  suite: 'inprocess' | 'redis' | 'cli';
  title: string;
  seconds: number;
  comparisons: Comparison[];
  /** The Redis suite's table of every command against the built-in, the ceiling and the seed. */
  overview?: OverviewRow[];
  /** A table the suite formats itself (Markdown lines), for figures that are not comparisons. */
  lines?: string[];
  notes: string[];
}

/** Speed of a measurement in its natural unit (MB/s if it moves bytes, else ops/s). */
export function speed(m: Measurement): number {
  return m.mbPerSec ?? m.opsPerSec;
}

export function compare(
  group: string,
  subject: Measurement,
  baseline: Measurement,
  target?: (ratio: number) => Target,
): Comparison {
  const ratio = subject.failed || baseline.failed ? Number.NaN : speed(subject) / speed(baseline);
  return { group, subject, baseline, ratio, target: target?.(ratio) };
}

/** Target: ratio at least `min` (e.g. 0.9 × baseline). */
export function atLeast(min: number, label?: string): (ratio: number) => Target {
  return (ratio) => ({ text: label ?? `≥ ${min}×`, met: ratio >= min });
}

/** A measurement that could not be taken because `error` was thrown. */
export function failedMeasurement(name: string, error: unknown): Measurement {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: string; message?: string };
  const text = [e.code, e.message ?? String(error)].filter(Boolean).join(': ');
  return { name, opsPerSec: Number.NaN, nsPerOp: Number.NaN, failed: text };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
