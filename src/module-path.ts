/** Where the Redis module file is, for `loadmodule`. */

import * as fs from 'node:fs';
import * as path from 'node:path';

const FILE_NAME = process.platform === 'darwin' ? 'libmmvec_redis.dylib' : 'libmmvec_redis.so';

/**
 * The absolute path of the built module: `$MMVEC_MODULE_PATH` if set, else the release
 * build in this package's `target/` directory. Throws if there is none.
 */
export function modulePath(): string {
  const candidates = [process.env.MMVEC_MODULE_PATH, path.resolve(__dirname, '..', '..', 'target', 'release', FILE_NAME)];
  const found = candidates.find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
  if (!found) {
    const error = new Error(`the mmvec Redis module is not built (looked for ${candidates.filter(Boolean).join(', ')}); run npm run build`);
    Object.assign(error, { code: 'ERR_MMVEC_NO_MODULE' });
    throw error;
  }
  return found;
}
