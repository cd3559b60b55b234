/**
 * A raw RESP connection: sends commands and returns each reply's exact bytes, so tests can
 * assert the wire types (RESP3 doubles, nulls, maps) that client libraries hide.
 */

import * as net from 'node:net';

/** Sends `commands` (after `HELLO protocol`) on one connection; the raw bytes of each reply. */
export async function rawReplies(port: number, protocol: 2 | 3, commands: (string | Buffer)[][]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const all = [['HELLO', String(protocol)], ...commands];
  socket.write(Buffer.concat(all.map(encode)));
  let buffer = Buffer.alloc(0);
  const replies: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let end = replyEnd(buffer, 0); end !== undefined; end = replyEnd(buffer, 0)) {
        replies.push(buffer.subarray(0, end).toString('latin1'));
        buffer = buffer.subarray(end);
      }
      if (replies.length === all.length) resolve();
    });
  });
  socket.destroy();
  return replies.slice(1);
}

function encode(args: (string | Buffer)[]): Buffer {
  const parts = args.map((a) => (typeof a === 'string' ? Buffer.from(a) : a));
  return Buffer.concat([
    Buffer.from(`*${parts.length}\r\n`),
    ...parts.flatMap((p) => [Buffer.from(`$${p.length}\r\n`), p, Buffer.from('\r\n')]),
  ]);
}

/** Where the reply starting at `at` ends, or `undefined` if it is not all there yet. */
function replyEnd(buffer: Buffer, at: number): number | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const header = buffer.subarray(at + 1, lineEnd).toString('latin1');
  const next = lineEnd + 2;
  switch (type) {
    case '$':
    case '=':
    case '!': {
      const length = Number(header);
      if (length < 0) return next;
      return buffer.length >= next + length + 2 ? next + length + 2 : undefined;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      // An attribute map (`|`) is followed by the reply it annotates.
      const count = Number(header) * (type === '*' || type === '~' || type === '>' ? 1 : 2) + (type === '|' ? 1 : 0);
      let end: number | undefined = next;
      for (let i = 0; i < count && end !== undefined; i++) end = replyEnd(buffer, end);
      return end;
    }
    default:
      return next;
  }
}
