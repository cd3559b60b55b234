/**
 * `mmvec export FILE DEST [--dtype T] [--format csv|npy]`: a vector file as text (one
 * value per line, printed so it parses back to the same value) or as a `.npy` (a 1.0
 * header, then the file's bytes). The vector is opened read-only and copied in 1 MiB
 * chunks; DEST is written as DEST.partial and renamed on success. DEST `-` is stdout.
 */

import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { type DType, formatLines } from '../dtypes.js';
import type { MmapVector } from '../vector.js';
import { UsageError, dtypeHelp, dtypeOption, parseCommand, positionals } from './args.js';
import { openVector, vectorChunks } from './chunks.js';
import { CliError, describeError } from './errors.js';
import { npyHeader, npyRefusal } from './npy.js';
import { checkDestination, checkDistinct, writeAtomically } from './partial.js';
import { Progress } from './progress.js';
import { type TypeInfo, typeOf } from './types.js';

export const EXPORT_USAGE = `Usage: mmvec export FILE DEST [--dtype T] [--format csv|npy]

Write the vector file FILE to DEST as
  csv  one value per line, as the Redis module prints it: integers in decimal, floats
       in the shortest form that reads back to the same value (nan, inf, -inf, -0
       included), so that "mmvec import" of the result gives FILE back byte for byte;
  npy  a numpy .npy file (format 1.0, shape (count,), little-endian descr such as
       '<f8', '<f2', '<f16' for float80 (numpy's longdouble) or '|S8' for bytes8),
       readable with np.load. bfloat16 has no descr: its .npy export is refused.
float80 values are written as their exact shortest text; bytes<N> values as their
bytes (trailing NULs stripped), one per line, so a value holding a newline does not
read back.
The format is npy when DEST ends in .npy, csv otherwise. DEST "-" writes to stdout.
DEST is written as DEST.partial and renamed only on success. An existing DEST is replaced.

Options:
  --dtype T        ${dtypeHelp("element type of FILE (default: a .npy file's header, else float64): ", 19)}
  --format F       csv or npy, whatever DEST's name
  -h, --help       show this help`;

/** Where the bytes go: a file, or stdout. */
interface Sink {
  write(bytes: Uint8Array): Promise<void>;
}

/** stdout was closed by its reader (`mmvec export v.f64 - | head`): stop quietly. */
class BrokenPipe extends Error {}

export async function exportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    'export',
    argv,
    { dtype: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    EXPORT_USAGE,
  );
  if (!parsed) return 0;
  const [file, dest] = positionals('export', parsed.positionals, ['FILE', 'DEST']);
  // Without --dtype, a .npy FILE's header says, and a raw one is float64.
  const given = parsed.values.dtype === undefined ? undefined : dtypeOption('export', parsed.values.dtype, 'float64');
  const format = parsed.values.format ?? (path.extname(dest).toLowerCase() === '.npy' ? 'npy' : 'csv');
  if (format !== 'csv' && format !== 'npy')
    throw new UsageError(`--format must be csv or npy, not '${String(format)}'`, 'export');
  if (dest !== '-') {
    checkDestination(dest);
    checkDistinct(file, dest);
  }

  const vector = openVector(file, given, 'r');
  const dtype = vector.dtype;
  const type = typeOf(dtype);
  const progress = new Progress('export', vector.length, 'values');
  try {
    if (format === 'npy') checkNpyDescr(file, dtype);
    if (dest === '-') {
      try {
        await writeVector(vector, file, type, format, stdoutSink(), progress, () => undefined);
      } catch (error) {
        if (error instanceof BrokenPipe) return 0;
        throw error;
      }
      return 0;
    }
    await writeAtomically(dest, async (partial) => {
      let handle: FileHandle;
      try {
        handle = await fs.promises.open(partial.path, 'w');
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new CliError(
          describeError(error, code === 'ENOENT' || code === 'EACCES' || code === 'EROFS' ? dest : partial.path),
        );
      }
      partial.owned = true;
      try {
        await writeVector(vector, file, type, format, fileSink(handle, dest), progress, () => partial.check());
        await handle.datasync();
      } finally {
        await handle.close();
      }
    });
    progress.finish();
    console.log(`exported ${vector.length} ${dtype} values from ${file} to ${dest} (${format})`);
    return 0;
  } finally {
    progress.finish();
    vector.close();
  }
}

/** Refuses a `.npy` export of a dtype without a descr (bfloat16) before DEST is touched. */
function checkNpyDescr(file: string, dtype: DType): void {
  const refusal = npyRefusal(dtype);
  if (refusal !== undefined) {
    throw new CliError(
      `${file}: ${refusal}; export it as csv, or read FILE itself with np.fromfile(FILE, dtype=ml_dtypes.${dtype})`,
    );
  }
}

async function writeVector(
  vector: MmapVector<DType>,
  file: string,
  type: TypeInfo,
  format: 'csv' | 'npy',
  sink: Sink,
  progress: Progress,
  check: () => void,
): Promise<void> {
  if (format === 'npy') await sink.write(npyHeader(type.name, vector.length));
  for (const chunk of vectorChunks(vector, file, type)) {
    check();
    if (format === 'npy') {
      await sink.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length * type.itemsize));
    } else {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length * type.itemsize);
      await sink.write(Buffer.from(formatLines(type.name, bytes)));
    }
    progress.update(chunk.start + chunk.length);
  }
}

function fileSink(handle: FileHandle, dest: string): Sink {
  return {
    async write(bytes) {
      let done = 0;
      while (done < bytes.length) {
        try {
          done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
        } catch (error) {
          throw new CliError(describeError(error, dest));
        }
      }
    },
  };
}

function stdoutSink(): Sink {
  let failure: Error | undefined;
  process.stdout.on('error', (error: Error & { code?: string }) => {
    failure = error.code === 'EPIPE' ? new BrokenPipe() : new CliError(`stdout: ${error.message}`);
  });
  return {
    write(bytes) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        process.stdout.write(bytes, (error) => {
          if (error) {
            const code = (error as Error & { code?: string }).code;
            reject(code === 'EPIPE' ? new BrokenPipe() : new CliError(`stdout: ${error.message}`));
          } else resolve();
        });
      });
    },
  };
}
