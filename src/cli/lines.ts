/**
 * Reading text files in 1 MiB chunks as batches of lines (with their line numbers), and
 * splitting CSV/TSV lines into fields.
 */

import type { FileHandle } from 'node:fs/promises';
import { CliError, describeError } from './errors.js';

export interface LineBatch {
  lines: string[];
  /** The 1-based line number of `lines[0]`. */
  firstLine: number;
}

const CHUNK_BYTES = 1 << 20;

/**
 * The lines of the file from byte `position` on, without their '\n' or '\r\n', a UTF-8
 * byte-order mark dropped. `onRead(bytes)` reports the bytes read so far.
 */
export async function* lineBatches(
  handle: FileHandle,
  file: string,
  onRead?: (bytes: number) => void,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<LineBatch> {
  const buffer = Buffer.alloc(chunkBytes);
  let carry = Buffer.alloc(0);
  let position = 0;
  let line = 1;
  let first = true;
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, position));
    } catch (error) {
      throw new CliError(describeError(error, file));
    }
    if (bytesRead === 0) break;
    position += bytesRead;
    onRead?.(position);
    const data =
      carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
    const last = data.lastIndexOf(10);
    if (last < 0) {
      carry = Buffer.from(data);
      continue;
    }
    const lines = split(data.toString('utf8', 0, last), first);
    first = false;
    carry = Buffer.from(data.subarray(last + 1));
    yield { lines, firstLine: line };
    line += lines.length;
  }
  if (carry.length > 0) yield { lines: split(carry.toString('utf8'), first), firstLine: line };
}

function split(text: string, first: boolean): string[] {
  const lines = (first && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * The fields of one CSV/TSV line. Fields may be quoted with '"' (a doubled '""' inside
 * is one quote, and the delimiter may appear inside); a quoted field cannot span lines.
 * Returns a message instead when the line is malformed.
 */
export function splitFields(line: string, delimiter: string): string[] | string {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    while (line[i] === ' ' && delimiter !== ' ') i++;
    if (line[i] === '"') {
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return 'unterminated quoted field (fields spanning lines are not supported)';
        field += line.slice(i, close);
        i = close + 1;
        if (line[i] !== '"') break;
        field += '"';
        i++;
      }
      const next = line.indexOf(delimiter, i);
      const rest = next < 0 ? line.slice(i) : line.slice(i, next);
      if (rest.trim() !== '') return `unexpected text after a quoted field: '${rest.trim()}'`;
      fields.push(field);
      if (next < 0) return fields;
      i = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      fields.push(next < 0 ? line.slice(i) : line.slice(i, next));
      if (next < 0) return fields;
      i = next + delimiter.length;
    }
  }
}
