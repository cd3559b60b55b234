/**
 * CSV/TSV records from a stream of bytes, parsed by csv-parse (RFC 4180: quoted fields
 * may hold delimiters, doubled quotes and line breaks), streamed with bounded memory,
 * each record with the line numbers of its fields.
 *
 * Line numbers are counted here, not taken from csv-parse's `info.lines`, which counts a
 * CRLF inside a quoted field as two lines: a record starts on the line after the
 * previous record ended, past the blank lines csv-parse skipped, and each field starts
 * after the line breaks of the fields before it.
 */

import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { CliError } from './errors.js';

/** The longest record accepted, in characters: it bounds memory when a quote is never closed. */
export const MAX_RECORD_CHARS = 1 << 20;

export class CsvRecord {
  /** The fields, trimmed of surrounding spaces and tabs (quoted content is kept as is). */
  readonly fields: string[];
  /** The 1-based line on which the record starts. */
  readonly line: number;

  constructor(fields: string[], line: number) {
    this.fields = fields;
    this.line = line;
  }

  /** The 1-based line on which field `index` starts. */
  fieldLine(index: number): number {
    let line = this.line;
    for (let k = 0; k < index; k++) line += lineBreaks(this.fields[k]);
    return line;
  }

  /** The line on which the record ends. */
  get lastLine(): number {
    return this.fieldLine(this.fields.length - 1) + lineBreaks(this.fields[this.fields.length - 1]);
  }
}

function lineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Calls `onRecord` for each non-blank record of `source`, in order; an error it throws
 * stops the parse and is rethrown. Malformed CSV becomes a `CliError` naming `file` and
 * the line where the malformed record starts.
 */
export async function readCsv(
  source: AsyncIterable<Buffer>,
  file: string,
  delimiter: string,
  onRecord: (record: CsvRecord) => void,
): Promise<void> {
  let nextLine = 1;
  let blankLinesSeen = 0;
  /** The line where the record being parsed starts, from csv-parse's count of skipped blank lines. */
  const startLine = (blankLines: number): number => nextLine + blankLines - blankLinesSeen;
  const parser = parse({
    bom: true,
    delimiter,
    record_delimiter: ['\r\n', '\n'],
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (fields: string[], info) => {
      const record = new CsvRecord(fields, startLine(info.empty_lines));
      blankLinesSeen = info.empty_lines;
      nextLine = record.lastLine + 1;
      onRecord(record);
      return null;
    },
  });
  const discard = new Writable({ objectMode: true, write: (_record, _encoding, done) => done() });
  try {
    await pipeline(source, parser, discard);
  } catch (error) {
    if (error instanceof CsvError)
      throw new CliError(`${file}:${startLine(Number(error.empty_lines))}: ${csvMessage(error)}`);
    throw error;
  }
}

/** What is wrong, in the CLI's words, for each csv-parse error the options above allow. */
function csvMessage(error: CsvError): string {
  const field = `field ${Number(error.index) + 1}`;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quoted field (the file ends inside the quotes of the record that starts here)';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `unexpected text after the closing quote of ${field} (write a quote inside a quoted field as "")`;
    case 'INVALID_OPENING_QUOTE':
      return `a quote inside unquoted ${field} (quote the whole field, and write a quote inside it as "")`;
    case 'CSV_MAX_RECORD_SIZE':
      return `a record longer than ${MAX_RECORD_CHARS} characters (is a quote left open?)`;
    default:
      return error.message;
  }
}
