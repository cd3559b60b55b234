/**
 * `mmvec import SRC DEST --dtype T [--column N|NAME] [--delimiter C] [--header]`: a
 * vector file from a CSV/TSV column, a file of one number per line, or a 1-D `.npy`.
 *
 * SRC is read in 1 MiB chunks (CSV/TSV parsed by csv-parse, plain lines by node:readline)
 * and appended to `DEST.partial` in typed-array batches (one write each); `DEST.partial`
 * is renamed to DEST only when everything was valid. The first bad value stops the
 * import with its line and column; then DEST is left as it was (absent, or its
 * previous contents) and the partial file is removed.
 */

import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { type DType, convertElements, formatLines, formatOfPath, parseValues } from '../dtypes.js';
import type { CodedError } from '../errors.js';
import { MmapVector } from '../vector.js';
import { UsageError, dtypeHelp, dtypeOption, parseCommand, positionals } from './args.js';
import { CliError, describeError } from './errors.js';
import { type CsvRecord, readCsv } from './csv.js';
import { readLines } from './lines.js';
import {
  NPY_PREFIX,
  NpyError,
  type NpyHeader,
  isNpy,
  npyDtype,
  npyHeaderEnd,
  npyRefusal,
  parseNpyHeader,
} from './npy.js';
import { type PartialFile, checkDestination, checkDistinct, writeAtomically } from './partial.js';
import { Progress } from './progress.js';
import { type TypeInfo, typeOf } from './types.js';
import { BadValue, badValueMessage, parseText } from './values.js';

export const IMPORT_USAGE = `Usage: mmvec import SRC DEST --dtype T [--column N|NAME] [--delimiter C] [--header]

Create the vector file DEST from SRC, which is one of:
  - a .npy file (1-D, little-endian, numpy format 1.0, 2.0 or 3.0), recognized by its
    magic bytes. Without --dtype, DEST gets the array's own type; with another --dtype
    each value is converted and checked (integers must fit, floats must be whole to
    become integers, integers must be exact to become floats).
  - a CSV or TSV file: a .csv or .tsv name, or --delimiter, --column or --header given.
    It is read as RFC 4180 has it: a field may be quoted with '"', and a quoted field
    may hold the delimiter, line breaks and doubled quotes ("" is one quote). Fields
    are trimmed of spaces and tabs outside quotes; rows may have different numbers of
    fields as long as each has the chosen column.
  - otherwise, a text file with one number per line.
Blank lines are skipped, '\\r\\n' line ends are accepted, a UTF-8 byte-order mark is
dropped, and values are trimmed. Values are read as the Redis module reads them:
integer types take decimal integers (12, -7; no '+', no leading zeros, no exponent)
checked exactly, for int64/uint64 too; float types take decimals, exponents and nan,
inf, -inf (any case), float16, bfloat16 and float80 rounded once to nearest-even from
the decimal (a finite value too large for the type is refused); bytes<N> takes any
text of at most N bytes (UTF-8). A .npy SRC of byte strings ('|S8') imports into
bytes<N>; bfloat16 has no .npy descr, so a .npy DEST of bfloat16 is refused.

The first bad value stops the import with "SRC:LINE:COLUMN: ..." (LINE is where the
field starts) and exit code 1; a malformed CSV record (a quote never closed, text
after a closing quote, a quote inside an unquoted field, a record of more than
1,048,576 characters) or a row without the column stops it with "SRC:LINE: ...",
LINE being where the record starts. SRC is streamed: memory does not grow with its size.
DEST is written as DEST.partial and renamed only on success, so it is never left
half-written. An existing DEST is replaced.

Options:
  --dtype T            ${dtypeHelp('element type of DEST (required unless SRC is .npy): ', 23)}
  --column N|NAME      which CSV column: a number counting from 1, or a header name
                       (a name implies --header). Needed when the rows have more than
                       one field.
  --delimiter C        field separator: one character, or \\t (or "tab") for a tab.
                       Default: tab for .tsv/.tab names, comma otherwise.
  --header             the first record holds column names; it is skipped
  -h, --help           show this help`;

const BATCH = 1 << 16;
const CHUNK_BYTES = 1 << 20;

interface TextOptions {
  delimiter: string | undefined;
  column: number | string | undefined;
  header: boolean;
}

export async function importCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    'import',
    argv,
    {
      dtype: { type: 'string' },
      column: { type: 'string' },
      delimiter: { type: 'string' },
      header: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    IMPORT_USAGE,
  );
  if (!parsed) return 0;
  const [src, dest] = positionals('import', parsed.positionals, ['SRC', 'DEST']);
  const values = parsed.values;
  const requested = values.dtype === undefined ? undefined : dtypeOption('import', values.dtype, 'float64');
  const text: TextOptions = {
    delimiter: values.delimiter === undefined ? undefined : delimiterOption(String(values.delimiter)),
    column: values.column === undefined ? undefined : columnOption(String(values.column)),
    header: values.header === true,
  };

  const handle = await openSource(src);
  try {
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(NPY_PREFIX);
    const { bytesRead } = await handle.read(prefix, 0, NPY_PREFIX, 0);
    const npy = isNpy(prefix.subarray(0, bytesRead));
    if (!npy && path.extname(src).toLowerCase() === '.npy')
      throw new CliError(`${src}: not a .npy file (it does not start with \\x93NUMPY)`);
    if (npy && (text.delimiter !== undefined || text.column !== undefined || text.header)) {
      throw new UsageError('--column, --delimiter and --header apply to CSV/TSV files, not to .npy', 'import');
    }
    const header = npy ? await readNpyHeader(handle, src, size) : undefined;
    if (!header && requested === undefined)
      throw new UsageError('missing --dtype (it is required unless SRC is a .npy file)', 'import');
    const dtype = requested ?? npyDtype(header!);
    const type = typeOf(dtype);

    const refusal = formatOfPath(dest) === 'npy' ? npyRefusal(dtype) : undefined;
    if (refusal !== undefined) throw new CliError(`${dest}: ${refusal}`);
    checkDestination(dest);
    checkDistinct(src, dest);
    checkNotLocked(dest);
    const progress = new Progress('import', size, 'bytes');
    let count: number;
    try {
      count = await writeAtomically(
        dest,
        async (partial) => {
          const vector = openDestination(partial, dest, dtype);
          try {
            if (header) await copyNpy(handle, src, header, vector, type, partial, progress);
            else await importText(handle, src, textMode(src, text), vector, type, partial, progress);
            vector.flush();
            return vector.length;
          } finally {
            vector.close();
          }
        },
        () => checkNotLocked(dest),
      );
    } finally {
      progress.finish();
    }
    console.log(`imported ${count} ${dtype} values from ${src} into ${dest}`);
    return 0;
  } finally {
    await handle.close();
  }
}

function delimiterOption(value: string): string {
  if (value === '\\t' || value.toLowerCase() === 'tab') return '\t';
  if (value.length !== 1 || value === '"' || value === '\n' || value === '\r') {
    throw new UsageError(
      `--delimiter must be one character other than '"' (or \\t for a tab), not '${value}'`,
      'import',
    );
  }
  return value;
}

function columnOption(value: string): number | string {
  if (!/^\d+$/.test(value)) {
    if (value.trim() === '') throw new UsageError('--column needs a number or a name', 'import');
    return value;
  }
  const n = Number(value);
  if (n < 1) throw new UsageError('--column counts from 1 (the first column is 1)', 'import');
  return n;
}

async function openSource(src: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await fs.promises.open(src, 'r');
  } catch (error) {
    throw new CliError(describeError(error, src));
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new CliError(`${src}: ${stat.isDirectory() ? 'is a directory' : 'not a regular file'}`);
  }
  return handle;
}

/** Refuses to replace a DEST that a writer (this library, the Redis module) has open. */
function checkNotLocked(dest: string): void {
  if (!fs.existsSync(dest)) return;
  try {
    // As raw bytes: only the lock matters here, not what the file holds.
    MmapVector.open(dest, { dtype: 'uint8', mode: 'r+', format: 'raw' }).close();
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MMVEC_LOCKED') {
      throw new CliError(`${dest}: locked by another writer (a process has it open read-write); not replaced`);
    }
    throw new CliError(describeError(error, dest));
  }
}

function openDestination(partial: PartialFile, dest: string, dtype: DType): MmapVector<DType> {
  let vector: MmapVector<DType>;
  try {
    // In DEST's format, though DEST.partial's name does not say it: a .npy DEST gets its header.
    vector = MmapVector.open<DType>(partial.path, { dtype, mode: 'w+', format: formatOfPath(dest) });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MMVEC_LOCKED')
      throw new CliError(`${partial.path}: locked: another import into ${dest} is running`);
    throw new CliError(
      describeError(error, code === 'ENOENT' || code === 'EACCES' || code === 'EROFS' ? dest : partial.path),
    );
  }
  partial.owned = true;
  return vector;
}

/**
 * Appends field texts to the vector in batches, each parsed by one addon call and
 * written raw. A refused batch is parsed again text by text to name the first refused
 * field and its place; `flush()` before any other failure, so that one stays first.
 */
class TextBatcher {
  readonly #vector: MmapVector<DType>;
  readonly #type: TypeInfo;
  readonly #src: string;
  #texts: string[] = [];
  /** Line and column of each text, flattened. */
  #places: number[] = [];

  constructor(vector: MmapVector<DType>, type: TypeInfo, src: string) {
    this.#vector = vector;
    this.#type = type;
    this.#src = src;
  }

  add(text: string, line: number, column: number): void {
    this.#texts.push(text);
    this.#places.push(line, column);
    if (text === '' || this.#texts.length === BATCH) this.flush();
  }

  flush(): void {
    const texts = this.#texts;
    const places = this.#places;
    if (texts.length === 0) return;
    this.#texts = [];
    this.#places = [];
    let bytes: ArrayBuffer | undefined;
    try {
      // An empty field is refused as such (parseText), before the core sees it.
      if (texts[texts.length - 1] !== '') bytes = parseValues(this.#type.name, texts);
    } catch (error) {
      this.#refuse(texts, places);
      throw error;
    }
    if (bytes === undefined) this.#refuse(texts, places);
    this.#vector.pushArray(new this.#type.array(bytes!));
  }

  /** Throws the first refusal among `texts`, with its place; returns if there is none. */
  #refuse(texts: string[], places: number[]): void {
    texts.forEach((text, k) => {
      try {
        parseText(text, this.#type);
      } catch (error) {
        if (!(error instanceof BadValue)) throw error;
        const where = `${this.#src}:${places[2 * k]}:${places[2 * k + 1]}`;
        throw new CliError(`${where}: ${badValueMessage(text, this.#type, error.reason)}`);
      }
    });
  }
}

type Mode =
  { kind: 'plain' } | { kind: 'csv'; delimiter: string; column: number | string | undefined; header: boolean };

function textMode(src: string, options: TextOptions): Mode {
  const ext = path.extname(src).toLowerCase();
  const tabbed = ext === '.tsv' || ext === '.tab';
  const csv =
    options.delimiter !== undefined || options.column !== undefined || options.header || tabbed || ext === '.csv';
  if (!csv) return { kind: 'plain' };
  return {
    kind: 'csv',
    delimiter: options.delimiter ?? (tabbed ? '\t' : ','),
    column: options.column,
    header: options.header || typeof options.column === 'string',
  };
}

async function importText(
  handle: FileHandle,
  src: string,
  mode: Mode,
  vector: MmapVector<DType>,
  type: TypeInfo,
  partial: PartialFile,
  progress: Progress,
): Promise<void> {
  const batcher = new TextBatcher(vector, type, src);
  const source = readChunks(handle, src, partial, progress);
  try {
    if (mode.kind === 'plain') {
      await readLines(source, (line, number) => {
        const text = line.trim();
        if (text !== '') batcher.add(text, number, 1);
      });
    } else {
      await readCsv(source, src, mode.delimiter, columnReader(src, mode, batcher));
    }
  } catch (error) {
    batcher.flush(); // a bad value on an earlier line is the first failure
    throw error;
  }
  batcher.flush();
}

/** SRC in 1 MiB chunks, reporting progress and stopping on a signal between chunks. */
async function* readChunks(
  handle: FileHandle,
  src: string,
  partial: PartialFile,
  progress: Progress,
): AsyncGenerator<Buffer> {
  let position = 0;
  for (;;) {
    partial.check();
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position));
    } catch (error) {
      throw new CliError(describeError(error, src));
    }
    if (bytesRead === 0) return;
    position += bytesRead;
    progress.update(position);
    yield buffer.subarray(0, bytesRead);
  }
}

/** The CSV record handler: skips the header (finding a named column in it), then adds the chosen field of each record. */
function columnReader(
  src: string,
  mode: Extract<Mode, { kind: 'csv' }>,
  batcher: TextBatcher,
): (record: CsvRecord) => void {
  let column = typeof mode.column === 'number' ? mode.column - 1 : undefined;
  let headerAhead = mode.header;
  return (record) => {
    const { fields } = record;
    if (headerAhead) {
      headerAhead = false;
      if (typeof mode.column === 'string') column = headerColumn(src, record.line, fields, mode.column);
      return;
    }
    if (column === undefined) {
      if (fields.length !== 1)
        throw new CliError(
          `${src}:${record.line}: ${fields.length} columns; choose one with --column N or --column NAME`,
        );
      column = 0;
    }
    if (column >= fields.length)
      throw new CliError(
        `${src}:${record.line}: no column ${column + 1} (the line has ${fields.length} field${fields.length === 1 ? '' : 's'})`,
      );
    batcher.add(fields[column].trim(), record.fieldLine(column), column + 1);
  };
}

function headerColumn(src: string, line: number, fields: string[], name: string): number {
  const names = fields.map((field) => field.trim());
  const index = names.indexOf(name);
  if (index < 0)
    throw new CliError(
      `${src}:${line}: no column named '${name}' in the header (${names.map((n) => `'${n}'`).join(', ')})`,
    );
  return index;
}

async function readNpyHeader(handle: FileHandle, src: string, size: number): Promise<NpyHeader> {
  try {
    const prefix = Buffer.alloc(NPY_PREFIX);
    const got = (await handle.read(prefix, 0, NPY_PREFIX, 0)).bytesRead;
    const end = npyHeaderEnd(prefix.subarray(0, got));
    if (end > size) throw new NpyError('truncated .npy header');
    const bytes = Buffer.alloc(end);
    await readFully(handle, src, bytes, 0);
    const header = parseNpyHeader(bytes);
    const bytesNeeded = header.count * header.itemsize;
    const available = size - header.dataOffset;
    if (available < bytesNeeded) {
      throw new NpyError(
        `truncated .npy data: the header says ${header.count} elements (${bytesNeeded} bytes) but ${available} bytes follow it`,
      );
    }
    return header;
  } catch (error) {
    if (error instanceof NpyError) throw new CliError(`${src}: ${error.message}`);
    throw error;
  }
}

async function readFully(handle: FileHandle, src: string, into: Uint8Array, position: number): Promise<void> {
  let got = 0;
  while (got < into.length) {
    let n: number;
    try {
      n = (await handle.read(into, got, into.length - got, position + got)).bytesRead;
    } catch (error) {
      throw new CliError(describeError(error, src));
    }
    if (n === 0) throw new CliError(`${src}: the file shrank while it was being read`);
    got += n;
  }
}

/** The `.npy` data into the vector: raw bytes when the types match, else value by value. */
async function copyNpy(
  handle: FileHandle,
  src: string,
  header: NpyHeader,
  vector: MmapVector<DType>,
  type: TypeInfo,
  partial: PartialFile,
  progress: Progress,
): Promise<void> {
  const source = header.source === 'bool' ? typeOf('uint8') : header.source;
  const perChunk = Math.floor((1 << 20) / header.itemsize);
  const buffer = new ArrayBuffer(perChunk * header.itemsize);
  for (let start = 0; start < header.count; start += perChunk) {
    partial.check();
    const length = Math.min(perChunk, header.count - start);
    const bytes = new Uint8Array(buffer, 0, length * header.itemsize);
    await readFully(handle, src, bytes, header.dataOffset + start * header.itemsize);
    if (header.source === 'bool') bytes.forEach((b, i) => (bytes[i] = b === 0 ? 0 : 1));
    if (source.name === type.name) {
      // Typed-array elements, not dtype elements: a bytes8 or float80 array is of bytes.
      vector.pushArray(new source.array(buffer, 0, bytes.length / source.array.BYTES_PER_ELEMENT));
    } else {
      vector.pushArray(new type.array(convertChunk(src, bytes, start, source, type)));
    }
    progress.update(header.dataOffset + (start + length) * header.itemsize);
  }
}

/** The elements of `bytes` (from element `start` on) converted, in one addon call; a
 * refusal is found again element by element to name its index and show its text. */
function convertChunk(src: string, bytes: Uint8Array, start: number, from: TypeInfo, to: TypeInfo): ArrayBuffer {
  try {
    return convertElements(bytes, from.name, to.name);
  } catch (error) {
    for (let i = 0; i * from.itemsize < bytes.length; i++) {
      const element = bytes.subarray(i * from.itemsize, (i + 1) * from.itemsize);
      try {
        convertElements(element, from.name, to.name);
      } catch (refusal) {
        const { code, reason } = refusal as CodedError;
        if (code !== 'ERR_MMVEC_BAD_VALUE' || reason === undefined) throw refusal;
        const text = formatLines(from.name, element).slice(0, -1);
        throw new CliError(`${src}: element ${start + i}: ${badValueMessage(text, to, reason)}`);
      }
    }
    throw error;
  }
}
