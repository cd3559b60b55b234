/**
 * Opening vectors for the command line, and walking one in bounded chunks: through
 * `view()` (zero-copy, the mapping itself) when the runtime can hand out the whole
 * mapping as one buffer, else — files of 4 GiB and more in Node 20, or where external
 * buffers are not allowed — as copies of one chunk at a time (`slice()`). Either way
 * memory stays bounded; the kernel pages the file in and out.
 */

import type { DType, Mode } from '../dtypes.js';
import { MmapVector } from '../vector.js';
import { describeError, CliError } from './errors.js';
import type { TypeInfo } from './types.js';

/** Elements `start .. start + length` of the vector, as `length` items at `byteOffset` in `buffer`. */
export interface Chunk {
  buffer: ArrayBufferLike;
  byteOffset: number;
  length: number;
  start: number;
}

/** Opens `file` as a vector; failures become `CliError`s naming `file` as the user gave it. */
export function openVector(file: string, dtype: DType | undefined, mode: Mode): MmapVector<DType> {
  try {
    return MmapVector.open<DType>(file, { dtype, mode });
  } catch (error) {
    throw new CliError(describeError(error, file));
  }
}

const CHUNK_BYTES = 1 << 20;

/**
 * The vector's elements (as many as it had when opened), in chunks of at most
 * `chunkBytes`. A chunk is valid only until the next one is asked for.
 */
export function* vectorChunks(
  vector: MmapVector<DType>,
  file: string,
  type: TypeInfo,
  chunkBytes = CHUNK_BYTES,
): Generator<Chunk> {
  const count = vector.length;
  const perChunk = Math.max(1, Math.floor(chunkBytes / type.itemsize));
  let buffer: ArrayBufferLike | undefined;
  try {
    buffer = count > 0 ? vector.view().buffer : undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_BUFFER_TOO_LARGE' && code !== 'ERR_MMVEC_VIEW_COPIED' && !(error instanceof RangeError))
      throw new CliError(describeError(error, file));
  }
  if (buffer !== undefined || count === 0) {
    for (let start = 0; start < count; start += perChunk) {
      yield { buffer: buffer!, byteOffset: start * type.itemsize, length: Math.min(perChunk, count - start), start };
    }
    return;
  }
  yield* copiedChunks(vector, count, perChunk);
}

/** Copies of the elements, chunk by chunk, through the addon: for vectors too large for
 * one view. */
function* copiedChunks(vector: MmapVector<DType>, count: number, perChunk: number): Generator<Chunk> {
  for (let start = 0; start < count; start += perChunk) {
    const copy = vector.slice(start, Math.min(count, start + perChunk));
    yield { buffer: copy.buffer, byteOffset: copy.byteOffset, length: copy.length, start };
  }
}
