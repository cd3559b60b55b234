/**
 * mmvec: memory-mapped, file-backed typed vectors.
 *
 * - `MmapVector` maps a file of raw little-endian numbers into this process.
 * - `MmvecClient` drives the same files inside Redis through the mmvec module.
 * - `modulePath()` names the module file to `loadmodule`.
 * - `DTYPES`, `parseValue` and `formatValue` are the core's dtype table and value text,
 *   the same the Redis module and the command line use.
 */

export {
  MmvecClient,
  type BindOptions,
  type RedisConnection,
  type IoredisConnection,
  type NodeRedisClientConnection,
  type NodeRedisClusterConnection,
  type VectorInfo,
} from './src/client.js';
export { modulePath } from './src/module-path.js';
export { MmapVector, type OpenOptions } from './src/vector.js';
export { DTYPES, canonicalDtype, formatValue, parseValue } from './src/dtypes.js';
export type { ArrayOf, DType, DTypeAlias, DTypeInfo, Format, Mode, ValueOf } from './src/dtypes.js';
export type { CodedError } from './src/errors.js';
