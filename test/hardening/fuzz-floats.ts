/**
 * Exact arithmetic for the fuzz model's float16, bfloat16 and float80 (x87 extended, in
 * a 16-byte slot): decimal text to the nearest value of the format (ties to even), bits
 * to an exact rational, and exact sums, all with BigInt. The model predicts the module's
 * replies and file bytes with these, never with the module's own code.
 */

/** A binary float format: `p` significand bits (with the leading one), its exponent field. */
export interface Format {
  name: 'float16' | 'bfloat16' | 'float80';
  bytes: number;
  /** The sign's bit in the value's bits (the slot's padding is not part of them). */
  signBit: number;
  p: number;
  expBits: number;
  bias: number;
  /** Whether the leading significand bit is stored (x87) rather than implied. */
  explicitLead: boolean;
  /** Significant digits that always suffice to tell its values apart. */
  maxDigits: number;
}

export const FORMATS: Record<Format['name'], Format> = {
  float16: { name: 'float16', bytes: 2, signBit: 15, p: 11, expBits: 5, bias: 15, explicitLead: false, maxDigits: 5 },
  bfloat16: { name: 'bfloat16', bytes: 2, signBit: 15, p: 8, expBits: 8, bias: 127, explicitLead: false, maxDigits: 4 },
  float80: {
    name: 'float80',
    bytes: 16,
    signBit: 79,
    p: 64,
    expBits: 15,
    bias: 16383,
    explicitLead: true,
    maxDigits: 21,
  },
};

/** A value: NaN, an infinity, or ±num/den (num = 0 for zeros). */
export type Exact = { k: 'nan' } | { k: 'inf'; neg: boolean } | { k: 'num'; neg: boolean; num: bigint; den: bigint };

const fieldBits = (f: Format): number => (f.explicitLead ? f.p : f.p - 1);
const maxExpField = (f: Format): number => (1 << f.expBits) - 1;
/** The exponent of the last significand bit of the subnormals (and of the least normals). */
const minLsbExp = (f: Format): number => 1 - f.bias - (f.p - 1);

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** The format's bits of a value, rounded to nearest-even; `'overflow'` if a finite value
 * rounds past the largest. */
export function round(f: Format, x: Exact): bigint | 'overflow' {
  const signBit = BigInt(f.signBit);
  const expShift = BigInt(fieldBits(f));
  const top = BigInt(maxExpField(f));
  if (x.k === 'nan') return (top << expShift) | (1n << BigInt(f.p - 2)) | (f.explicitLead ? 1n << 63n : 0n);
  const sign = x.neg ? 1n << signBit : 0n;
  if (x.k === 'inf') return sign | (top << expShift) | (f.explicitLead ? 1n << 63n : 0n);
  if (x.num === 0n) return sign;
  // q = num / (den * 2^e), with 2^(p-1) <= q < 2^p unless subnormal.
  let e = Math.max(bitLength(x.num) - bitLength(x.den) - f.p, minLsbExp(f));
  const scaled = (exp: number): [bigint, bigint] =>
    exp >= 0 ? [x.num, x.den << BigInt(exp)] : [x.num << BigInt(-exp), x.den];
  let [n, d] = scaled(e);
  while (n / d >= 1n << BigInt(f.p)) [n, d] = scaled(++e);
  while (e > minLsbExp(f) && n / d < 1n << BigInt(f.p - 1)) [n, d] = scaled(--e);
  let q = n / d;
  const twice = 2n * (n - q * d);
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  if (q === 1n << BigInt(f.p)) {
    q >>= 1n;
    e += 1;
  }
  const normal = q >= 1n << BigInt(f.p - 1);
  const field = normal ? e + f.bias + (f.p - 1) : 0;
  if (field >= maxExpField(f)) return 'overflow';
  const stored = f.explicitLead ? q : q & ((1n << BigInt(f.p - 1)) - 1n);
  return sign | (BigInt(field) << expShift) | stored;
}

/** The value of the format's bits. x87 encodings the hardware rejects (an exponent but no
 * integer bit; an all-ones exponent other than the infinity) are NaNs. */
export function value(f: Format, bits: bigint): Exact {
  const shift = BigInt(fieldBits(f));
  const neg = ((bits >> BigInt(f.signBit)) & 1n) === 1n;
  const field = Number((bits >> shift) & BigInt(maxExpField(f)));
  const stored = bits & ((1n << shift) - 1n);
  const lead = 1n << BigInt(f.p - 1);
  let q: bigint;
  if (field === maxExpField(f)) {
    const infinite = f.explicitLead ? stored === lead : stored === 0n;
    return infinite ? { k: 'inf', neg } : { k: 'nan' };
  }
  if (f.explicitLead) {
    if (field !== 0 && (stored & lead) === 0n) return { k: 'nan' };
    q = stored;
  } else {
    q = field === 0 ? stored : stored | lead;
  }
  const e = field === 0 ? minLsbExp(f) : field - f.bias - (f.p - 1);
  return e >= 0 ? { k: 'num', neg, num: q << BigInt(e), den: 1n } : { k: 'num', neg, num: q, den: 1n << BigInt(-e) };
}

/** The value of a decimal in Rust's float syntax (already checked); `inf`, `nan` as such. */
export function decimal(text: string): Exact {
  const neg = text.startsWith('-');
  const body = text.replace(/^[+-]/, '').toLowerCase();
  if (body === 'nan') return { k: 'nan' };
  if (body === 'inf' || body === 'infinity') return { k: 'inf', neg };
  const [mantissa, exponent = '0'] = body.split('e') as [string, string?];
  const [whole, fraction = ''] = mantissa.split('.') as [string, string?];
  const digits = BigInt(`${whole}${fraction}` || '0');
  const exp10 = Number(exponent) - fraction.length;
  if (digits === 0n) return { k: 'num', neg, num: 0n, den: 1n };
  // Beyond these every format has overflowed or rounded to zero (and 10^k stays small).
  if (exp10 + `${digits}`.length > 5000) return { k: 'num', neg, num: 10n ** 5000n, den: 1n };
  if (exp10 + `${digits}`.length < -5000) return { k: 'num', neg, num: 1n, den: 10n ** 5000n };
  return exp10 >= 0
    ? { k: 'num', neg, num: digits * 10n ** BigInt(exp10), den: 1n }
    : { k: 'num', neg, num: digits, den: 10n ** BigInt(-exp10) };
}

/** The exact value of a double. */
export function ofDouble(x: number): Exact {
  if (Number.isNaN(x)) return { k: 'nan' };
  if (!Number.isFinite(x)) return { k: 'inf', neg: x < 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const field = Number((bits >> 52n) & 0x7ffn);
  const stored = bits & ((1n << 52n) - 1n);
  const q = field === 0 ? stored : stored | (1n << 52n);
  const e = (field === 0 ? 1 : field) - 1023 - 52;
  return e >= 0 ? { k: 'num', neg, num: q << BigInt(e), den: 1n } : { k: 'num', neg, num: q, den: 1n << BigInt(-e) };
}

const DOUBLE: Format = {
  name: 'float80',
  bytes: 8,
  signBit: 63,
  p: 53,
  expBits: 11,
  bias: 1023,
  explicitLead: false,
  maxDigits: 17,
};

/** The nearest double of a value (what `to_f64` gives), ties to even. */
export function toDouble(x: Exact): number {
  const bits = round(DOUBLE, x);
  if (bits === 'overflow') return x.k === 'num' && x.neg ? -Infinity : Infinity;
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

/** `a + b`, exactly (both finite). */
export function add(a: Exact & { k: 'num' }, b: Exact & { k: 'num' }): Exact & { k: 'num' } {
  const signed = (x: Exact & { k: 'num' }): bigint => (x.neg ? -x.num : x.num);
  const num = signed(a) * b.den + signed(b) * a.den;
  const den = a.den * b.den;
  // The sum of opposite values is +0 (nearest-even rounding), and -0 + -0 is -0.
  const neg = num < 0n || (num === 0n && a.neg && b.neg);
  return { k: 'num', neg, num: num < 0n ? -num : num, den };
}

export function bitsOf(f: Format, bytes: Buffer, offset: number): bigint {
  let bits = 0n;
  const used = f.bytes === 16 ? 10 : f.bytes;
  for (let i = used - 1; i >= 0; i--) bits = (bits << 8n) | BigInt(bytes[offset + i]!);
  return bits;
}

export function bytesOf(f: Format, bits: bigint): Buffer {
  const out = Buffer.alloc(f.bytes);
  for (let i = 0; i < (f.bytes === 16 ? 10 : f.bytes); i++) out[i] = Number((bits >> BigInt(8 * i)) & 0xffn);
  return out;
}
