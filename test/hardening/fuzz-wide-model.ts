/**
 * The model of the addon for the dtypes of issue 11 (float16, bfloat16, float80, bytes<N>),
 * for fuzz-wide.addon.test.ts. Kept apart from fuzz-model.ts (the ten dtypes' model, and
 * the Redis one) so the two grow independently.
 *
 * What the model predicts exactly, and how:
 * - float16 and bfloat16 stores of a number: rounding to nearest-even into the type's
 *   significand, computed in doubles (dividing by a power of two and `roundHalfEven` are
 *   exact), overflow past the largest finite value refused; the elements' bits.
 * - float80 stores of a number: exact (every double is a float80); `get` gives it back.
 * - Texts (`setText`) are only the exact decimals of dyadic values (`String(x)` of a
 *   double with a short binary expansion), so rounding the text and rounding the double
 *   agree; float80's `getText` of such a value is that same decimal.
 * - Refusals' messages show a number as the core prints a double (`formatValue`).
 * - bytes<N>: values up to N + 2 bytes, refused past N with the core's message; stored
 *   NUL-padded, read without trailing NULs.
 */

import { formatValue } from '../..';

export type WideDType = 'float16' | 'bfloat16' | 'float80' | 'bytes8' | 'bytes3';

export const WIDE_DTYPES: readonly WideDType[] = ['float16', 'bfloat16', 'float80', 'bytes8', 'bytes3'];

/** A binary float format: significand bits after the point, the least normal exponent,
 * the largest finite value. */
interface SmallFloat {
  fraction: number;
  minExponent: number;
  max: number;
  exponentBits: number;
}

const FLOAT16: SmallFloat = { fraction: 10, minExponent: -14, max: 65504, exponentBits: 5 };
const BFLOAT16: SmallFloat = { fraction: 7, minExponent: -126, max: 3.3895313892515355e38, exponentBits: 8 };

export const isBytesDtype = (dtype: WideDType): boolean => dtype.startsWith('bytes');

export function itemsizeOf(dtype: WideDType): number {
  if (dtype === 'float80') return 16;
  if (isBytesDtype(dtype)) return Number(dtype.slice('bytes'.length));
  return 2;
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `x` rounded to the format (nearest, ties to even), or `Infinity` with `x`'s sign past it. */
export function roundTo(format: SmallFloat, x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const magnitude = Math.abs(x);
  const exponent = Math.max(Math.floor(Math.log2(magnitude)), format.minExponent);
  // log2 may be off by one near powers of two: fix the exponent exactly.
  let e = exponent;
  while (e > format.minExponent && 2 ** e > magnitude) e--;
  while (2 ** (e + 1) <= magnitude) e++;
  const ulp = 2 ** (e - format.fraction);
  const rounded = roundHalfEven(magnitude / ulp) * ulp;
  const signed = x < 0 ? -rounded : rounded;
  return rounded > format.max ? Math.sign(x) * Infinity : signed;
}

/** The bits of a value already in the format (finite or infinite; NaN is the quiet NaN). */
function bitsOf(format: SmallFloat, value: number): number {
  const bias = 2 ** (format.exponentBits - 1) - 1;
  const sign = value < 0 || Object.is(value, -0) ? 1 : 0;
  const top = (2 ** format.exponentBits - 1) << format.fraction;
  const signBit = sign << (format.exponentBits + format.fraction);
  if (Number.isNaN(value)) return top | (1 << (format.fraction - 1));
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return signBit | top;
  if (magnitude === 0) return signBit;
  let e = Math.floor(Math.log2(magnitude));
  while (2 ** e > magnitude) e--;
  while (2 ** (e + 1) <= magnitude) e++;
  if (e < format.minExponent) return signBit | (magnitude / 2 ** (format.minExponent - format.fraction));
  const significand = magnitude / 2 ** (e - format.fraction) - 2 ** format.fraction;
  return signBit | ((e + bias) << format.fraction) | significand;
}

const formatOf = (dtype: WideDType): SmallFloat | undefined =>
  dtype === 'float16' ? FLOAT16 : dtype === 'bfloat16' ? BFLOAT16 : undefined;

/** What a store of `value` does: the element's bytes and the value `get` returns, or the error. */
export type Stored = { bytes: Buffer; value: number | Buffer } | { code: string; message: string };

/** The text error messages show for a byte string: lossy UTF-8, as the core shows it. */
function shown(bytes: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** The store of a number or a byte string into `dtype`. */
export function store(dtype: WideDType, value: number | string | Buffer): Stored {
  const size = itemsizeOf(dtype);
  if (isBytesDtype(dtype)) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : (value as Buffer);
    if (bytes.length > size)
      return {
        code: 'ERR_MMVEC_BAD_VALUE',
        message: `value '${shown(bytes)}' is not valid for ${dtype}: ${bytes.length} bytes is longer than ${size}`,
      };
    const out = Buffer.alloc(size);
    bytes.copy(out);
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    return { bytes: out, value: Buffer.from(bytes.subarray(0, end)) };
  }
  const x = value as number;
  const format = formatOf(dtype);
  if (!format) {
    // float80: exact. Its bytes are not modelled: the driver reads them back through `get`.
    return { bytes: Buffer.alloc(0), value: x };
  }
  const rounded = roundTo(format, x);
  if (Number.isFinite(x) && !Number.isFinite(rounded))
    return {
      code: 'ERR_MMVEC_BAD_VALUE',
      message: `value '${formatValue('float64', x)}' is not valid for ${dtype}: out of range`,
    };
  const out = Buffer.alloc(2);
  out.writeUInt16LE(bitsOf(format, rounded));
  return { bytes: out, value: rounded };
}
