/**
 * `mmvec info FILE [--dtype T]`: count, size, dtype, min, max, mean (NaN ignored) and a
 * sparkline, from one pass over every element. The vector is opened read-only and
 * walked in 1 MiB chunks (see chunks.ts), so memory stays bounded whatever the size;
 * 64-bit integers are summed exactly.
 */

import { type DType, type Format, nearestNumbers } from '../dtypes.js';
import { dtypeHelp, dtypeOption, parseCommand, positionals } from './args.js';
import { type Chunk, openVector, vectorChunks } from './chunks.js';
import { Progress, humanBytes } from './progress.js';
import { type TypeInfo, typeOf } from './types.js';
import { formatValue } from './values.js';

export const INFO_USAGE = `Usage: mmvec info FILE [--dtype T]

Print a vector file's count, size, dtype, min, max, mean (NaN values ignored) and a
sparkline of its values (40 buckets, each the mean of its slice of the vector).
float80 values are summarized through their nearest doubles; bytes<N> (byte string)
files get only their count and size.
Every element is read once, in chunks through the file's mapping; a progress bar
appears on a terminal when it takes over a second.

Options:
  --dtype T   ${dtypeHelp("element type (default: a .npy file's header, else float64): ", 14)}
  -h, --help  show this help`;

const SPARKS = '▁▂▃▄▅▆▇█';
const BUCKETS = 40;

type NumberArray =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** What one pass gathers. */
export interface Summary {
  /** The file's format, and its dtype (a `.npy` file's header may have given it). */
  format: Format;
  dtype: DType;
  count: number;
  /** NaN elements (float types only). */
  nan: number;
  min: number | bigint | undefined;
  max: number | bigint | undefined;
  mean: number | undefined;
  /** Per-bucket means; NaN for a bucket with no values. */
  buckets: number[];
}

class Accumulator {
  readonly count: number;
  readonly #type: TypeInfo;
  readonly #bucketCount: number;
  readonly #bucketSum: Float64Array;
  readonly #bucketN: Float64Array;
  #bucket = 0;
  #nextBoundary: number;
  // Numbers: the running min/max; 64-bit integers: their high and low 32-bit halves.
  #min = Infinity;
  #max = -Infinity;
  #minHi = Infinity;
  #minLo = 0;
  #maxHi = -Infinity;
  #maxLo = 0;
  // Floats: a compensated sum (Neumaier) of segment sums; integers: an exact bigint.
  #floatSum = 0;
  #floatCompensation = 0;
  #intSum = 0n;
  #n = 0;

  constructor(type: TypeInfo, count: number) {
    this.#type = type;
    this.count = count;
    this.#bucketCount = Math.min(BUCKETS, count);
    this.#bucketSum = new Float64Array(this.#bucketCount);
    this.#bucketN = new Float64Array(this.#bucketCount);
    this.#nextBoundary = this.#boundary(1);
  }

  #boundary(bucket: number): number {
    return Math.floor((bucket * this.count) / this.#bucketCount);
  }

  add(chunk: Chunk): void {
    const type = this.#type;
    const end = chunk.start + chunk.length;
    let position = chunk.start;
    // Split the chunk where buckets end, so each segment belongs to one bucket.
    while (position < end) {
      const segmentEnd = Math.min(end, this.#nextBoundary);
      const from = position - chunk.start;
      const to = segmentEnd - chunk.start;
      const [sum, n] = type.big ? this.#scanBig(chunk, from, to) : this.#scanNumbers(numbersOf(type, chunk), from, to);
      this.#bucketSum[this.#bucket] += sum;
      this.#bucketN[this.#bucket] += n;
      position = segmentEnd;
      if (position === this.#nextBoundary && this.#bucket < this.#bucketCount - 1) {
        this.#bucket++;
        this.#nextBoundary = this.#boundary(this.#bucket + 1);
      }
    }
  }

  /** Min, max and sum of `array[from..to)`, NaN skipped; returns [sum, values counted]. */
  #scanNumbers(array: NumberArray, from: number, to: number): [number, number] {
    let min = this.#min;
    let max = this.#max;
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const x = array[i];
      if (x !== x) continue;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
      n++;
    }
    this.#min = min;
    this.#max = max;
    this.#n += n;
    if (this.#type.kind === 'float') {
      // Neumaier: keeps the total exact to about one rounding per segment.
      const total = this.#floatSum + sum;
      this.#floatCompensation +=
        Math.abs(this.#floatSum) >= Math.abs(sum) ? this.#floatSum - total + sum : sum - total + this.#floatSum;
      this.#floatSum = total;
    } else {
      // A segment is at most 2^18 values below 2^32: its sum is an exact double.
      this.#intSum += BigInt(sum);
    }
    return [sum, n];
  }

  /** The same for 64-bit integers, through their 32-bit halves (no bigint per element). */
  #scanBig(chunk: Chunk, from: number, to: number): [number, number] {
    const lo = new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length * 2);
    const hi = this.#type.kind === 'int' ? new Int32Array(chunk.buffer, chunk.byteOffset, chunk.length * 2) : lo;
    let minHi = this.#minHi;
    let minLo = this.#minLo;
    let maxHi = this.#maxHi;
    let maxLo = this.#maxLo;
    let sumLo = 0;
    let sumHi = 0;
    for (let i = from; i < to; i++) {
      const l = lo[2 * i];
      const h = hi[2 * i + 1];
      sumLo += l;
      sumHi += h;
      if (h < minHi || (h === minHi && l < minLo)) {
        minHi = h;
        minLo = l;
      }
      if (h > maxHi || (h === maxHi && l > maxLo)) {
        maxHi = h;
        maxLo = l;
      }
    }
    this.#minHi = minHi;
    this.#minLo = minLo;
    this.#maxHi = maxHi;
    this.#maxLo = maxLo;
    this.#n += to - from;
    // At most 2^17 values per segment: both half-sums are exact doubles.
    const sum = (BigInt(sumHi) << 32n) + BigInt(sumLo);
    this.#intSum += sum;
    return [Number(sum), to - from];
  }

  summary(format: Format): Summary {
    const type = this.#type;
    const n = this.#n;
    let min: number | bigint | undefined;
    let max: number | bigint | undefined;
    let mean: number | undefined;
    if (n > 0) {
      if (type.big) {
        min = (BigInt(this.#minHi) << 32n) + BigInt(this.#minLo);
        max = (BigInt(this.#maxHi) << 32n) + BigInt(this.#maxLo);
      } else {
        min = this.#min;
        max = this.#max;
      }
      mean = type.kind === 'float' ? (this.#floatSum + this.#floatCompensation) / n : exactMean(this.#intSum, n);
      if (!Number.isFinite(this.#floatSum)) mean = this.#floatSum / n; // inf, -inf or NaN (inf - inf)
    }
    const buckets = Array.from(this.#bucketSum, (sum, b) => (this.#bucketN[b] > 0 ? sum / this.#bucketN[b] : NaN));
    return {
      format,
      dtype: type.name,
      count: this.count,
      nan: type.kind === 'bytes' ? 0 : this.count - n,
      min,
      max,
      mean,
      buckets,
    };
  }
}

/** The chunk's values as numbers: its typed array where that holds them, else (float16,
 * bfloat16, float80) their nearest numbers, from the core. */
function numbersOf(type: TypeInfo, chunk: Chunk): NumberArray {
  if (type.holdsValues) return new type.array(chunk.buffer, chunk.byteOffset, chunk.length) as NumberArray;
  return nearestNumbers(type.name, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length * type.itemsize));
}

/** sum / n as the nearest double, for an exact (possibly huge) integer sum. */
function exactMean(sum: bigint, n: number): number {
  if (sum >= -(2n ** 53n) && sum <= 2n ** 53n) return Number(sum) / n;
  const count = BigInt(n);
  return Number(sum / count) + Number(sum % count) / n;
}

/** One pass over `file`'s elements; without `dtype`, a `.npy` file's header gives it. */
export function summarize(
  file: string,
  dtype: DType | undefined,
  progress?: (done: number, total: number) => void,
): Summary {
  const vector = openVector(file, dtype, 'r');
  const type = typeOf(vector.dtype);
  try {
    const accumulator = new Accumulator(type, vector.length);
    for (const chunk of vectorChunks(vector, file, type)) {
      // Byte strings have no min, max or mean: they are only counted.
      if (type.kind !== 'bytes') accumulator.add(chunk);
      progress?.(chunk.start + chunk.length, vector.length);
    }
    return accumulator.summary(vector.format);
  } finally {
    vector.close();
  }
}

/** A line of block characters, one per bucket, scaled between the lowest and highest
 * bucket mean; a bucket of only NaN is a space. All-equal values give a flat line. */
export function sparkline(buckets: number[]): string {
  const finite = buckets.filter(Number.isFinite);
  if (finite.length === 0 && !buckets.some((b) => b === Infinity || b === -Infinity)) return '-';
  const low = finite.length > 0 ? Math.min(...finite) : 0;
  const high = finite.length > 0 ? Math.max(...finite) : 0;
  return buckets
    .map((mean) => {
      if (Number.isNaN(mean)) return ' ';
      if (mean === Infinity) return SPARKS[SPARKS.length - 1];
      if (mean === -Infinity || high === low) return SPARKS[0];
      // Halved so that high - low cannot overflow to infinity.
      const level = Math.round(((mean / 2 - low / 2) / (high / 2 - low / 2)) * (SPARKS.length - 1));
      return SPARKS[level];
    })
    .join('');
}

/** The lines `mmvec info` prints. */
export function formatSummary(file: string, dtype: DType, summary: Summary): string[] {
  const type = typeOf(dtype);
  const bytes = summary.count * type.itemsize;
  // A type wider than a double (float80) has its min and max as their nearest numbers:
  // shown as doubles, not as texts of its own that would claim more precision.
  const shownAs = type.itemsize > 8 ? typeOf('float64') : type;
  const show = (value: number | bigint | undefined): string =>
    value === undefined ? '-' : formatValue(value, shownAs);
  const mean =
    summary.mean === undefined
      ? '-'
      : type.name === 'float32'
        ? formatValue(Math.fround(summary.mean), type)
        : formatValue(summary.mean, typeOf('float64'));
  const rows: [string, string][] = [
    ['file', file],
    ...(summary.format === 'npy' ? [['format', 'npy'] as [string, string]] : []),
    ['dtype', dtype],
    ['count', String(summary.count)],
    ['size', `${bytes} bytes${bytes >= 1024 ? ` (${humanBytes(bytes)})` : ''}`],
    ['min', show(summary.min)],
    ['max', show(summary.max)],
    ['mean', mean],
  ];
  if (summary.nan > 0) rows.push(['nan', String(summary.nan)]);
  rows.push(['spark', summary.count === 0 ? '-' : sparkline(summary.buckets)]);
  // Values line up after the short keys; `format` is one longer and keeps its space.
  return rows.map(([key, value]) => `${`${key}: `.padEnd(7)}${value}`);
}

export async function info(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    'info',
    argv,
    { dtype: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    INFO_USAGE,
  );
  if (!parsed) return 0;
  const [file] = positionals('info', parsed.positionals, ['FILE']);
  const given = parsed.values.dtype === undefined ? undefined : dtypeOption('info', parsed.values.dtype, 'float64');
  let bar: Progress | undefined;
  try {
    const summary = summarize(file, given, (done, total) => {
      bar ??= new Progress('info', total, 'values');
      bar.update(done);
    });
    bar?.finish();
    console.log(formatSummary(file, summary.dtype, summary).join('\n'));
  } finally {
    bar?.finish();
  }
  return 0;
}
