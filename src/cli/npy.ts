/**
 * The `.npy` format (numpy's `np.save`), as far as 1-D numeric arrays go:
 *
 *   "\x93NUMPY" major minor  header_len (uint16 LE in 1.0; uint32 LE in 2.0 and 3.0)
 *   header: a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (n,), }
 *           padded with spaces and a final '\n' so the data starts 64-byte aligned
 *   data:   n elements, raw
 *
 * Version 3.0 differs from 2.0 only in that the header is UTF-8 instead of latin-1.
 */

import { DTYPES, DTYPE_FAMILIES, type DType, dtypeOfNpyDescr, npyDescr } from '../dtypes.js';
import { type TypeInfo, typeOf } from './types.js';

export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** A parsed `.npy` header: what the data is and where it starts. */
export interface NpyHeader {
  version: string;
  descr: string;
  /** The element type; `bool` is `|b1` (read as 0 and 1). */
  source: TypeInfo | 'bool';
  fortranOrder: boolean;
  shape: number[];
  count: number;
  itemsize: number;
  dataOffset: number;
}

/** Why a `.npy` file cannot be imported; the message is complete. */
export class NpyError extends Error {}

/** Whether `bytes` (the start of a file) begins with the `.npy` magic. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= NPY_MAGIC.length && NPY_MAGIC.every((b, i) => bytes[i] === b);
}

/** How many leading bytes `parseNpyHeader` needs at most to know the header's length. */
export const NPY_PREFIX = 12;

/** The header's total length (prefix included) from the first `NPY_PREFIX` bytes. */
export function npyHeaderEnd(prefix: Uint8Array): number {
  if (!isNpy(prefix)) throw new NpyError('not a .npy file (no \\x93NUMPY magic)');
  if (prefix.length < 10) throw new NpyError('truncated .npy header');
  const major = prefix[6];
  const minor = prefix[7];
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw new NpyError('truncated .npy header');
    return 12 + view.getUint32(8, true);
  }
  throw new NpyError(`unsupported .npy version ${major}.${minor} (1.0, 2.0 and 3.0 are supported)`);
}

/** Parses the whole header (`bytes` holds at least `npyHeaderEnd(bytes)` bytes). */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  const end = npyHeaderEnd(bytes);
  if (bytes.length < end) throw new NpyError('truncated .npy header');
  const major = bytes[6];
  const start = major === 1 ? 10 : 12;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  let dict: unknown;
  try {
    dict = new LiteralParser(text).parseAll();
  } catch (error) {
    throw new NpyError(`bad .npy header: ${(error as Error).message}`);
  }
  if (!(dict instanceof Map)) throw new NpyError('bad .npy header: not a dict');
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (descr === undefined || fortranOrder === undefined || shape === undefined)
    throw new NpyError("bad .npy header: it needs 'descr', 'fortran_order' and 'shape'");
  if (typeof descr !== 'string') throw new NpyError('structured .npy dtypes (records) are not supported');
  if (typeof fortranOrder !== 'boolean') throw new NpyError("bad .npy header: 'fortran_order' is not True or False");
  if (
    !(shape instanceof Tuple) ||
    !shape.items.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  ) {
    throw new NpyError("bad .npy header: 'shape' is not a tuple of sizes");
  }
  const dims = shape.items as number[];
  const shown = `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
  if (dims.length !== 1) {
    const what =
      dims.length === 0
        ? 'a 0-d array (a scalar)'
        : `a ${dims.length}-D${fortranOrder ? ', Fortran-ordered' : ''} array`;
    throw new NpyError(
      `${what} of shape ${shown}; only 1-D arrays can be imported (flatten it first, e.g. np.save(path, a.ravel()))`,
    );
  }
  const source = npyType(descr);
  const itemsize = source === 'bool' ? 1 : source.itemsize;
  return {
    version: `${major}.${bytes[7]}`,
    descr,
    source,
    fortranOrder,
    shape: dims,
    count: dims[0],
    itemsize,
    dataOffset: end,
  };
}

/**
 * The dtype of a descr such as `<f8`, `|u1`, `|S8`, `=i2`: the core's (through the addon),
 * `=` being little-endian on every host mmvec runs on, and a single-byte type in either
 * byte order. `|b1` is bool, which the command line imports as 0 and 1.
 */
function npyType(descr: string): TypeInfo | 'bool' {
  if (/^[<>|=]?b1$/.test(descr)) return 'bool';
  const little = descr.replace(/^[=>]/, '<');
  const dtype = dtypeOfNpyDescr(descr.replace(/^=/, '<')) ?? dtypeOfNpyDescr(little);
  if (dtype !== null && (!descr.startsWith('>') || typeOf(dtype).itemsize === 1)) return typeOf(dtype);
  if (dtype !== null) {
    throw new NpyError(
      `big-endian .npy data ('${descr}') is not supported; save it little-endian first (a.astype('${little}'))`,
    );
  }
  throw new NpyError(`unsupported .npy dtype '${descr}' (supported: little-endian bool, ${supportedDescrs()})`);
}

/** The descrs the core reads, from its dtype table: every fixed type's, and each family's
 * range (`|S1 to |S65536`). */
function supportedDescrs(): string {
  // bfloat16 has no descr.
  const fixed = DTYPES.filter((info) => npyRefusal(info.name) === undefined).map((info) => npyDescr(info.name));
  const families = DTYPE_FAMILIES.map(
    (f) => `${npyDescr(`${f.prefix}${f.minWidth}` as DType)} to ${npyDescr(`${f.prefix}${f.maxWidth}` as DType)}`,
  );
  return [...fixed, ...families].join(', ');
}

/** The dtype whose values an `.npy` of this header holds, as the default for import. */
export function npyDtype(header: NpyHeader): DType {
  return header.source === 'bool' ? 'uint8' : header.source.name;
}

/** Why `dtype` cannot be kept in a `.npy` file (it has no descr: bfloat16), or `undefined`. */
export function npyRefusal(dtype: DType): string | undefined {
  try {
    npyDescr(dtype);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A version 1.0 header for `count` elements of `dtype`, padded so data starts at a multiple
 * of 64; its descr is the core's. Throws `NpyError` for a dtype without a descr (bfloat16). */
export function npyHeader(dtype: DType, count: number): Buffer {
  const refusal = npyRefusal(dtype);
  if (refusal !== undefined) throw new NpyError(refusal);
  const dict = `{'descr': '${npyDescr(dtype)}', 'fortran_order': False, 'shape': (${count},), }`;
  const unpadded = NPY_MAGIC.length + 4 + dict.length + 1;
  const padding = (64 - (unpadded % 64)) % 64;
  const header = `${dict}${' '.repeat(padding)}\n`;
  const prefix = Buffer.alloc(10);
  NPY_MAGIC.copy(prefix);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1')]);
}

/** A Python tuple (as opposed to a list) in a header. */
class Tuple {
  constructor(readonly items: unknown[]) {}
}

/** Just enough of Python's literal syntax for `.npy` headers: dicts, tuples, lists,
 * strings, integers, True, False, None. */
class LiteralParser {
  #pos = 0;

  constructor(readonly text: string) {}

  parseAll(): unknown {
    const value = this.#value();
    this.#space();
    if (this.#pos !== this.text.length) throw new Error(`unexpected '${this.text[this.#pos]}' at offset ${this.#pos}`);
    return value;
  }

  #space(): void {
    while (this.#pos < this.text.length && /\s/.test(this.text[this.#pos])) this.#pos++;
  }

  #peek(): string {
    this.#space();
    return this.text[this.#pos] ?? '';
  }

  #expect(char: string): void {
    if (this.#peek() !== char) throw new Error(`expected '${char}' at offset ${this.#pos}`);
    this.#pos++;
  }

  #value(): unknown {
    const c = this.#peek();
    if (c === '{') return this.#dict();
    if (c === '(') return new Tuple(this.#sequence('(', ')'));
    if (c === '[') return this.#sequence('[', ']');
    if (c === "'" || c === '"') return this.#string();
    const word = /^(?:True|False|None|[+-]?\d+L?)/.exec(this.text.slice(this.#pos));
    if (!word) throw new Error(c === '' ? 'unexpected end' : `unexpected '${c}' at offset ${this.#pos}`);
    this.#pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace(/L$/, ''));
  }

  #dict(): Map<unknown, unknown> {
    const map = new Map<unknown, unknown>();
    this.#expect('{');
    while (this.#peek() !== '}') {
      const key = this.#value();
      this.#expect(':');
      map.set(key, this.#value());
      if (this.#peek() !== ',') break;
      this.#pos++;
    }
    this.#expect('}');
    return map;
  }

  #sequence(open: string, close: string): unknown[] {
    const items: unknown[] = [];
    this.#expect(open);
    while (this.#peek() !== close) {
      items.push(this.#value());
      if (this.#peek() !== ',') break;
      this.#pos++;
    }
    this.#expect(close);
    return items;
  }

  #string(): string {
    const quote = this.text[this.#pos++];
    let out = '';
    while (this.#pos < this.text.length && this.text[this.#pos] !== quote) {
      const c = this.text[this.#pos++];
      out += c === '\\' && this.#pos < this.text.length ? this.text[this.#pos++] : c;
    }
    if (this.#pos >= this.text.length) throw new Error('unterminated string');
    this.#pos++;
    return out;
  }
}
