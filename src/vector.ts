/**
 * `MmapVector`: a typed vector kept in a file and read and written through a memory
 * mapping, in-process, without copies.
 */

import { type ExternalObject, NativeVector, appendBytesTo } from '../native/index.js';
import {
  type ArrayOf,
  type DType,
  type DTypeAlias,
  type Format,
  type InputOf,
  type Mode,
  type TypedArrayConstructor,
  type ValueOf,
  arrayHoldsValues,
  isByteString,
  typedArrayFor,
} from './dtypes.js';
import { constants } from 'node:buffer';
import {
  checkArrayLike,
  checkBytesValue,
  checkBytesValues,
  checkNumber,
  checkNumbers,
  checkString,
  checkValue,
  checkValues,
} from './errors.js';
import { type Element, type StoreRule, storeRuleFor } from './store-rule.js';

/** The largest ArrayBuffer this Node can create over the mapping. */
const MAX_VIEW_BYTES = constants.MAX_LENGTH;

/** Accesses past the cached view (after growth) before the view is taken again. */
const REFRESH_AFTER_MISSES = 64;

/** A typed array of any dtype, as the write paths index it. */
interface Elements {
  readonly length: number;
  [index: number]: Element;
}

export interface OpenOptions<D extends DType> {
  /**
   * Element type. Aliases such as `f64` or `double` are accepted. Without it, an existing
   * `.npy` file is opened as the dtype its header names, anything else as `float64`; with
   * it, a `.npy` header naming another dtype throws `ERR_MMVEC_DTYPE_MISMATCH`.
   */
  dtype?: D | DTypeAlias;
  /** numpy-style mode (default `a`: read-write, created if missing). */
  mode?: Mode;
  /** File format (default: `npy` for a path ending in `.npy`, else `raw`). */
  format?: Format;
}

export class MmapVector<D extends DType = 'float64'> implements Iterable<ValueOf<D>> {
  readonly #native: NativeVector;
  /** The same vector for `appendBytesTo`, a plain function call: a napi-rs class method
   * costs about 200 ns a call more (crates/node/src/appender.rs). */
  readonly #appender: ExternalObject<NativeVector>;
  readonly #array: TypedArrayConstructor<D>;
  /** Whether the typed array holds each element as its JS value (not for bytes<N>,
   * float16, bfloat16 and float80, which are read and written through the addon). */
  readonly #direct: boolean;
  /** Values are byte strings (`bytes<N>`): strings or `Uint8Array`s, not numbers. */
  readonly #bytes: boolean;
  /** A typed array over the current mapping, for reads at typed-array speed; only for
   * dtypes whose typed array holds their values (`#direct`). */
  #cache: ArrayOf<D> | undefined;
  /** Whether `#cache`'s buffer was handed out by `view()`: then it is never replaced
   * behind the caller's back (replacing it would detach their view). */
  #cacheShared = false;
  /** Accesses `#cache` could not answer since it was built (see `#refresh`). */
  #misses = 0;
  /** Which values may be written through `#cache` without the addon; `undefined` in mode
   * `r`, whose mapping is a private copy: a store there would never reach the file. */
  readonly #rule: StoreRule | undefined;
  /** One element's bytes, for `push(v)`. */
  readonly #one: Elements;
  readonly #oneBytes: Uint8Array;

  private constructor(native: NativeVector) {
    this.#native = native;
    this.#appender = native.appender();
    const dtype = native.dtype as D;
    this.#array = typedArrayFor(dtype);
    this.#direct = arrayHoldsValues(dtype);
    this.#bytes = isByteString(dtype);
    this.#rule = native.writable && this.#direct ? storeRuleFor(dtype) : undefined;
    this.#one = this.#elements(1);
    this.#oneBytes = new Uint8Array((this.#one as unknown as ArrayOf<D>).buffer);
  }

  /**
   * Opens the vector file at `path`. A read-write open takes an exclusive lock: a second
   * writer, in this process or another, fails with `ERR_MMVEC_LOCKED`.
   */
  static open<D extends DType = 'float64'>(path: string, options: OpenOptions<D> = {}): MmapVector<D> {
    checkString('path', path);
    const { dtype, mode = 'a', format } = options;
    if (dtype !== undefined) checkString('dtype', dtype);
    checkString('mode', mode);
    if (format !== undefined) checkString('format', format);
    return new MmapVector<D>(NativeVector.open(path, dtype, mode, format));
  }

  /** Number of elements. */
  get length(): number {
    return this.#native.length;
  }

  /** Canonical element type name, such as `float64`. */
  get dtype(): D {
    return this.#native.dtype as D;
  }

  get path(): string {
    return this.#native.path;
  }

  get mode(): Mode {
    return this.#native.mode as Mode;
  }

  /** `npy` for a file with a numpy header (kept up to date with the length), else `raw`. */
  get format(): Format {
    return this.#native.format as Format;
  }

  /** Bytes before the first element in the file: the `.npy` header's, 0 for a raw file. */
  get dataOffset(): number {
    return this.#native.dataOffset;
  }

  get closed(): boolean {
    return this.#native.closed;
  }

  /**
   * The element at `index`; throws `ERR_MMVEC_OUT_OF_RANGE` past the end. A float80 element
   * reads as the nearest `number` (use `getText` for its exact value); a `bytes<N>` one as
   * a `Buffer` without its trailing NULs.
   */
  get(index: number): ValueOf<D> {
    checkNumber('index', index);
    let value = this.#cache?.[index];
    if (value === undefined && this.#refresh()) value = this.#cache?.[index];
    // Anything the typed array cannot answer (out of range, fractional, negative,
    // closed) goes to the native call, which throws the exact error.
    return value !== undefined ? (value as ValueOf<D>) : (this.#native.get(index) as ValueOf<D>);
  }

  /**
   * The element at `index` as text, exactly as the Redis module replies it: the shortest
   * text that round-trips in the dtype (float80's exact value too); a `bytes<N>` element's
   * bytes as UTF-8 (invalid sequences become U+FFFD: `get` gives the bytes).
   */
  getText(index: number): string {
    checkNumber('index', index);
    return this.#native.getText(index);
  }

  /**
   * Writes the element at `index` from text, parsed exactly as the Redis module parses it
   * (a float80 rounds once, to nearest-even, from the decimal; a `bytes<N>` element takes
   * the text's UTF-8 bytes). Throws `ERR_MMVEC_BAD_VALUE` for a text the dtype refuses.
   */
  setText(index: number, text: string): void {
    checkNumber('index', index);
    checkString('text', text);
    this.#native.setText(index, text);
  }

  /** The elements at `indices`, as a new typed array; all indices are checked first. */
  getMany(indices: ArrayLike<number>): ArrayOf<D> {
    return new this.#array(this.#native.gather(numbers('indices', indices)));
  }

  /**
   * Writes one element; values the dtype cannot hold exactly throw `ERR_MMVEC_BAD_VALUE`.
   * A valid write inside the cached view is a typed-array store; anything else (a bad
   * index or value, mode `r`, a closed vector) goes to the addon, which throws the error.
   */
  set(index: number, value: InputOf<D>): void {
    checkNumber('index', index);
    if (this.#bytes) {
      checkBytesValue('value', value);
      return this.#native.set(index, value);
    }
    checkValue('value', value);
    const element = this.#rule?.element(value);
    if (element !== undefined && this.#holds(index)) {
      // Element-atomic, like the core's stores: see `#storeMany`.
      (this.#cache as unknown as Elements)[index] = element;
      return;
    }
    this.#native.set(index, value);
  }

  /** Writes `values[k]` at `indices[k]` for every k, or nothing if any is invalid. */
  setMany(indices: ArrayLike<number>, values: ArrayLike<InputOf<D>>): void {
    const positions = numbers('indices', indices);
    checkArrayLike('values', values);
    const list = Array.from(values);
    if (this.#bytes) {
      checkBytesValues('values', list);
      return this.#native.setMany(positions, list);
    }
    checkValues('values', list);
    if (!this.#storeMany(positions, list)) this.#native.setMany(positions, list);
  }

  /** Appends values (all checked first); returns the new length. */
  push(...values: InputOf<D>[]): number {
    if (this.#bytes) {
      checkBytesValues('values', values);
      return this.#native.push(values);
    }
    checkValues('values', values);
    const bytes = this.#pack(values);
    return bytes !== undefined ? appendBytesTo(this.#appender, bytes) : this.#native.push(values);
  }

  /** Appends a whole array with one write to the file; returns the new length. */
  /** A typed array of this dtype's (`ArrayOf<D>`) appends its raw elements: for `bytes<N>`,
   * float80 and bfloat16 (and float16 on a `Uint16Array`) these are bytes or bits, not values. */
  pushArray(values: ArrayOf<D> | ArrayLike<InputOf<D>>): number {
    checkArrayLike('values', values);
    if (values instanceof this.#array) {
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      return appendBytesTo(this.#appender, bytes);
    }
    const list = Array.from(values as ArrayLike<InputOf<D>>);
    if (this.#bytes) {
      checkBytesValues('values', list);
      return this.#native.push(list);
    }
    checkValues('values', list);
    const bytes = this.#pack(list);
    return bytes !== undefined ? appendBytesTo(this.#appender, bytes) : this.#native.push(list);
  }

  /** Removes and returns the last element, or `undefined` when empty. */
  pop(): ValueOf<D> | undefined {
    this.#forgetView();
    return (this.#native.pop() ?? undefined) as ValueOf<D> | undefined;
  }

  /** Empties the vector (the file becomes 0 bytes); returns the length it had. */
  clear(): number {
    this.#forgetView();
    return this.#native.clear();
  }

  /** A copy of elements `start..end`, with `Array.prototype.slice` rules. */
  slice(start?: number, end?: number): ArrayOf<D> {
    if (start !== undefined) checkNumber('start', start);
    if (end !== undefined) checkNumber('end', end);
    return new this.#array(this.#native.slice(start, end));
  }

  /**
   * A typed array over the mapping itself: reads and writes go straight to the file's
   * pages. It stays valid until the vector shrinks or closes, or a newer view is taken
   * after the length changed; then it is detached (its length becomes 0), never dangling.
   * In mode `r` the mapping is copy-on-write: writes through it stay in this process.
   * Its elements are `ArrayOf<D>`'s: the raw bytes of `bytes<N>` and float80, the raw bits
   * of bfloat16, and float16 as a `Float16Array` where the runtime has one, else its bits.
   */
  view(): ArrayOf<D> {
    const buffer = this.#native.view();
    if (this.#direct) {
      this.#cache = new this.#array(buffer);
      this.#cacheShared = true;
    }
    return new this.#array(buffer);
  }

  /** Writes dirty pages and the file size to disk, and waits (msync + fdatasync). */
  flush(): void {
    this.#native.flush();
  }

  /** `flush()` on a worker thread. */
  flushAsync(): Promise<void> {
    try {
      return this.#native.flusher().run() ?? Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Detaches views, unmaps and releases the lock. Closing twice is harmless. */
  close(): void {
    this.#forgetView();
    this.#native.close();
  }

  *[Symbol.iterator](): IterableIterator<ValueOf<D>> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Whether the vector fits one typed array (Node caps buffers at 4 GiB); larger ones are
   * read through the native call. */
  #viewable(): boolean {
    return this.#native.length * this.#array.BYTES_PER_ELEMENT <= MAX_VIEW_BYTES;
  }

  /** Before a shrink or close: the native side detaches the view, so it is no longer
   * the caller's and the cache may be rebuilt freely. */
  #forgetView(): void {
    this.#cache = undefined;
    this.#cacheShared = false;
    this.#misses = 0;
  }

  /**
   * Whether `index` is an element of `#cache`, refreshing it (`#refresh`) for an index
   * past it. Before a refresh after growth or a remap, the cache still maps the file's
   * pages shared (the mapping it was taken from stays mapped while a buffer holds it),
   * so its elements are the file's. A closed vector throws `ERR_MMVEC_CLOSED` here, as
   * the addon would.
   */
  #holds(index: number): boolean {
    if (!Number.isInteger(index) || index < 0) return false;
    if (this.#cache !== undefined && index < this.#cache.length) return true;
    return this.#refresh() && index < (this.#cache?.length ?? 0);
  }

  /**
   * Takes `#cache` again from the current mapping, if it may: never while a caller holds
   * it as their view, and once built only after `REFRESH_AFTER_MISSES` accesses it could
   * not answer. Each refresh makes a new external buffer, so a loop of `push(v)` and
   * `set(length - 1, v)` refreshes once per that many rounds rather than every round; the
   * accesses in between go to the addon. Returns whether the cache was refreshed.
   */
  #refresh(): boolean {
    if (this.#cacheShared || !this.#direct) return false;
    if (this.#cache !== undefined && ++this.#misses < REFRESH_AFTER_MISSES) return false;
    if (!this.#viewable()) return false;
    this.#misses = 0;
    this.#cache = new this.#array(this.#native.view());
    return true;
  }

  /**
   * Stores every pair through the cached view if the rule takes every value and every
   * index is in the view, else stores nothing and returns false. No caller code runs
   * between the checks and the stores: the arguments are plain arrays of checked types.
   *
   * Each store is element-atomic, as the core's are (`element_store.rs`): it writes one
   * aligned element (offsets in a page-aligned mapping are multiples of the itemsize),
   * and V8 emits one machine store of the element's width for it — the StoreTypedElement
   * operator in optimized code, CodeStubAssembler's StoreElement in the IC builtins, and
   * `TypedElementsAccessor::SetImpl` (src/objects/elements.cc) in the runtime, which
   * writes one value of the element type. An aligned store of 1, 2, 4 or 8 bytes is
   * single-copy atomic on x86-64 (Intel SDM vol. 3A, 9.1.1) and AArch64 (Arm ARM
   * B2.2.1), so a concurrent reader sees each element old or new, never torn.
   */
  #storeMany(positions: readonly number[], list: ArrayLike<Element>): boolean {
    const rule = this.#rule;
    // An empty call still goes to the addon, which refuses it on a closed vector.
    if (rule === undefined || list.length === 0 || positions.length !== list.length) return false;
    for (let k = 0; k < list.length; k++) {
      if (rule.element(list[k]!) === undefined || !this.#holds(positions[k]!)) return false;
    }
    const cache = this.#cache as unknown as Elements;
    for (let k = 0; k < list.length; k++) cache[positions[k]!] = rule.element(list[k]!)!;
    return true;
  }

  /**
   * `values` as the bytes of a typed array of this dtype, for one `appendBytesTo` call, if
   * the rule takes every value; else `undefined` (the addon then checks and appends them,
   * or throws the error). One value uses a buffer kept for the purpose.
   */
  #pack(values: ArrayLike<Element>): Uint8Array | undefined {
    const rule = this.#rule;
    if (rule === undefined) return undefined;
    const single = values.length === 1;
    const elements = single ? this.#one : this.#elements(values.length);
    for (let k = 0; k < values.length; k++) {
      const element = rule.element(values[k]!);
      if (element === undefined) return undefined;
      elements[k] = element;
    }
    return single ? this.#oneBytes : new Uint8Array((elements as unknown as ArrayOf<D>).buffer);
  }

  /** A new, zeroed typed array of `length` elements of this dtype. */
  #elements(length: number): Elements {
    const bytes = new ArrayBuffer(length * this.#array.BYTES_PER_ELEMENT);
    return new this.#array(bytes) as unknown as Elements;
  }
}

function numbers(name: string, values: ArrayLike<number>): number[] {
  checkArrayLike(name, values);
  const list = Array.from(values);
  checkNumbers(name, list);
  return list;
}
