/**
 * mmvec: memory-mapped, file-backed typed vectors.
 *
 * - `MmapVector` maps a file of raw little-endian numbers into this process.
 * - `MmvecClient` drives the same files inside Redis through the mmvec module.
 * - `modulePath()` names the module file to `loadmodule`.
 * - `DTYPES`, `DTYPE_FAMILIES`, `parseValue`, `formatValue` and `npyDescr` are the core's
 *   dtype table, value text and `.npy` descrs, the same the Redis module and the command
 *   line use.
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
export {
  DTYPES,
  DTYPE_FAMILIES,
  canonicalDtype,
  dtypeOfNpyDescr,
  formatValue,
  npyDescr,
  parseValue,
} from './src/dtypes.js';
export type {
  ArrayOf,
  DType,
  DTypeAlias,
  DTypeFamilyInfo,
  DTypeInfo,
  FixedDType,
  Format,
  InputOf,
  Mode,
  ValueOf,
} from './src/dtypes.js';
export type { CodedError } from './src/errors.js';
