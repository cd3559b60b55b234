/**
 * Values as text and between types: parsing a field for a dtype (exactly, with the
 * reason when it cannot be stored), formatting so the text parses back to the same
 * value, and checked conversion between dtypes for `.npy` import.
 */

import type { TypeInfo } from './types.js';

/** A value the target type cannot hold; `reason` is short ("not an integer", "out of range"). */
export class BadValue extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** `'text' is not a valid int32 (reason)`, with very long text shortened. */
export function badValueMessage(text: string, type: TypeInfo, reason: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `'${shown}' is not a valid ${type.dtype} (${reason})`;
}

const PLAIN_INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

/**
 * Parses one field (already trimmed) as a value of `type`. Integer types take decimal
 * integers, also written with a zero fraction or an exponent (`3`, `3.0`, `3e2`), and are
 * checked exactly (no rounding through doubles, so all of int64/uint64 works). Float types
 * take decimal numbers, `nan`, `inf`, `infinity` (any case, optionally signed); a finite
 * number too large for the type is out of range, while rounding to the nearest
 * representable value (`0.1` in float32) is accepted. Throws `BadValue`.
 */
export function parseText(text: string, type: TypeInfo): number | bigint {
  if (text === '') throw new BadValue('empty');
  if (type.kind === 'float') return parseFloatText(text, type);
  let value: number | bigint;
  if (PLAIN_INTEGER.test(text)) {
    value = type.big ? BigInt(text) : text.length <= 15 ? Number(text) : BigInt(text);
  } else {
    value = parseDecimalInteger(text);
  }
  return checkInteger(value, type);
}

function parseFloatText(text: string, type: TypeInfo): number {
  let value: number;
  if (FLOAT.test(text)) {
    value = Number(text);
    if (!Number.isFinite(value)) throw new BadValue('out of range');
  } else {
    const special = SPECIAL.exec(text);
    if (!special) throw new BadValue('not a number');
    value = special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  }
  if (type.itemsize === 4 && Number.isFinite(value) && !Number.isFinite(Math.fround(value))) throw new BadValue('out of range');
  return value;
}

/** An integer written with a fraction or exponent (`12.0`, `1.5e3`), exactly, as a bigint. */
function parseDecimalInteger(text: string): bigint {
  const match = DECIMAL.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new BadValue('not an integer');
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  let exponent = Number(exponentText) - fraction.length;
  if (digits === '') return 0n;
  // Drop trailing zeros into the exponent, then the value is digits × 10^exponent.
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  if (exponent < 0) throw new BadValue('not an integer');
  if (digits.length + exponent > 40) throw new BadValue('out of range');
  const magnitude = BigInt(digits) * 10n ** BigInt(exponent);
  return sign === '-' ? -magnitude : magnitude;
}

/** An integer value (number or bigint) for `type`: range-checked, as the type's JS value. */
function checkInteger(value: number | bigint, type: TypeInfo): number | bigint {
  if (type.big) {
    const big = typeof value === 'bigint' ? value : BigInt(value);
    if (big < (type.min as bigint) || big > (type.max as bigint)) throw new BadValue('out of range');
    return big;
  }
  const small = typeof value === 'bigint' ? Number(value) : value;
  if (small < (type.min as number) || small > (type.max as number)) throw new BadValue('out of range');
  return small === 0 ? 0 : small; // never -0 in an integer type
}

/**
 * The value of `type` that `source` (a value of `from`) denotes, or `BadValue`. Integers
 * go to integer types when in range, and to float types only when exact; floats go to
 * integer types when whole, finite and in range; float64 goes to float32 when finite
 * values stay finite (rounding to the nearest float32 is accepted, as numpy does).
 */
export function convertValue(source: number | bigint, from: TypeInfo, to: TypeInfo): number | bigint {
  if (to.kind === 'float') {
    if (typeof source === 'bigint') {
      const value = Number(source);
      const stored = to.itemsize === 4 ? Math.fround(value) : value;
      if (BigInt(stored) !== source) throw new BadValue(`not exactly representable`);
      return stored;
    }
    if (to.itemsize === 4) {
      const stored = Math.fround(source);
      if (from.kind === 'float') {
        if (Number.isFinite(source) && !Number.isFinite(stored)) throw new BadValue('out of range');
      } else if (stored !== source) {
        throw new BadValue('not exactly representable');
      }
      return stored;
    }
    return source;
  }
  if (typeof source === 'number') {
    if (!Number.isFinite(source) || !Number.isInteger(source)) throw new BadValue('not an integer');
    if (to.big) {
      // Beyond 2^64 BigInt() is still exact for a double, and the range check refuses it.
      return checkInteger(BigInt(source), to);
    }
  }
  return checkInteger(source, to);
}

/**
 * Text for a value of `type` that parses back to the same value: integers in decimal,
 * float64 as JS prints it (`0.1`, `1e+21`, `NaN`, `Infinity`, `-0`), float32 in its own
 * shortest form (`0.1`, not `0.10000000149011612`).
 */
export function formatValue(value: number | bigint, type: TypeInfo): string {
  if (typeof value === 'bigint' || type.kind !== 'float') return String(value);
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (type.itemsize === 4 && Number.isFinite(value)) return shortestFloat32(value);
  return String(value);
}

/** The shortest decimal that rounds to the float32 `value` (a binary search on digits:
 * if p significant digits round-trip, so do p + 1). */
export function shortestFloat32(value: number): string {
  let low = 1;
  let high = 9; // 9 significant digits always identify a float32
  while (low < high) {
    const mid = (low + high) >> 1;
    if (Math.fround(Number(value.toPrecision(mid))) === value) high = mid;
    else low = mid + 1;
  }
  return String(Number(value.toPrecision(low)));
}
