/**
 * The lines of a text file of one value per line, from a stream of bytes, read by
 * node:readline: '\n', '\r\n' and a lone '\r' end a line; a UTF-8 byte-order mark is
 * dropped.
 */

import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/** Calls `onLine(text, number)` for each line (1-based numbers); an error it throws is rethrown. */
export async function readLines(
  source: AsyncIterable<Buffer>,
  onLine: (text: string, line: number) => void,
): Promise<void> {
  const lines = createInterface({ input: Readable.from(source), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number++;
    onLine(number === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, number);
  }
}
