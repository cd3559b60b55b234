/**
 * `MmapVector`: a typed vector kept in a file and read and written through a memory
 * mapping, in-process, without copies.
 */

import { NativeVector } from '../native/index.js';
import { type ArrayOf, type DType, type DTypeAlias, type Format, type Mode, type TypedArrayConstructor, type ValueOf, typedArrayFor } from './dtypes.js';
import { constants } from 'node:buffer';
import { checkArrayLike, checkNumber, checkString, checkValue } from './errors.js';

/** The largest ArrayBuffer this Node can create over the mapping. */
const MAX_VIEW_BYTES = constants.MAX_LENGTH;

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
  readonly #array: TypedArrayConstructor<D>;
  /** A typed array over the current mapping, for reads at typed-array speed. */
  #cache: ArrayOf<D> | undefined;
  /** Whether `#cache`'s buffer was handed out by `view()`: then it is never replaced
   * behind the caller's back (replacing it would detach their view). */
  #cacheShared = false;

  private constructor(native: NativeVector) {
    this.#native = native;
    this.#array = typedArrayFor(native.dtype as D);
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

  /** The element at `index`; throws `ERR_MMVEC_OUT_OF_RANGE` past the end. */
  get(index: number): ValueOf<D> {
    checkNumber('index', index);
    let value = this.#cache?.[index];
    if (value === undefined && !this.#cacheShared && this.#viewable()) {
      this.#cache = new this.#array(this.#native.view());
      value = this.#cache[index];
    }
    // Anything the typed array cannot answer (out of range, fractional, negative,
    // closed) goes to the native call, which throws the exact error.
    return value !== undefined ? (value as ValueOf<D>) : (this.#native.get(index) as ValueOf<D>);
  }

  /** The elements at `indices`, as a new typed array; all indices are checked first. */
  getMany(indices: ArrayLike<number>): ArrayOf<D> {
    return new this.#array(this.#native.gather(numbers('indices', indices)));
  }

  /** Writes one element; values the dtype cannot hold exactly throw `ERR_MMVEC_BAD_VALUE`. */
  set(index: number, value: ValueOf<D>): void {
    checkNumber('index', index);
    checkValue('value', value);
    this.#native.set(index, value);
  }

  /** Writes `values[k]` at `indices[k]` for every k, or nothing if any is invalid. */
  setMany(indices: ArrayLike<number>, values: ArrayLike<ValueOf<D>>): void {
    const positions = numbers('indices', indices);
    checkArrayLike('values', values);
    const list = Array.from(values);
    list.forEach((value, k) => checkValue(`values[${k}]`, value));
    this.#native.setMany(positions, list);
  }

  /** Appends values (all checked first); returns the new length. */
  push(...values: ValueOf<D>[]): number {
    values.forEach((value, k) => checkValue(`values[${k}]`, value));
    return this.#native.push(values);
  }

  /** Appends a whole array with one write to the file; returns the new length. */
  pushArray(values: ArrayOf<D> | ArrayLike<ValueOf<D>>): number {
    checkArrayLike('values', values);
    if (values instanceof this.#array) {
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      return this.#native.appendBytes(bytes);
    }
    const list = Array.from(values as ArrayLike<ValueOf<D>>);
    list.forEach((value, k) => checkValue(`values[${k}]`, value));
    return this.#native.push(list);
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
   */
  view(): ArrayOf<D> {
    const buffer = this.#native.view();
    this.#cache = new this.#array(buffer);
    this.#cacheShared = true;
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
  }
}

function numbers(name: string, values: ArrayLike<number>): number[] {
  checkArrayLike(name, values);
  const list = Array.from(values);
  list.forEach((value, k) => checkNumber(`${name}[${k}]`, value));
  return list;
}
