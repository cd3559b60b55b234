/** Where the Redis module file is, for `loadmodule`. */

import * as fs from 'node:fs';
import * as path from 'node:path';

const FILE_NAME = process.platform === 'darwin' ? 'libmmvec_redis.dylib' : 'libmmvec_redis.so';

/**
 * The absolute path of the Redis module for this platform: `$MMVEC_MODULE_PATH` if set,
 * else the file in this platform's package (`mmvec-linux-x64-gnu`, …), else a release
 * build in this package's `target/` directory (a source checkout). Throws if none exists.
 */
export function modulePath(): string {
  const candidates = [
    process.env.MMVEC_MODULE_PATH,
    inPlatformPackage(),
    path.resolve(__dirname, '..', '..', 'target', 'release', FILE_NAME),
  ];
  const found = candidates.find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
  if (!found) {
    const looked = candidates.filter(Boolean).join(', ');
    const error = new Error(
      `the mmvec Redis module is not installed for ${process.platform}-${process.arch} (looked for ${looked}); in a source checkout, run npm run build`,
    );
    Object.assign(error, { code: 'ERR_MMVEC_NO_MODULE' });
    throw error;
  }
  return found;
}

/** The module's path inside this platform's npm package, if that package is installed. */
function inPlatformPackage(): string | undefined {
  const name = platformPackageName();
  if (!name) return undefined;
  try {
    return path.join(path.dirname(require.resolve(`${name}/package.json`)), FILE_NAME);
  } catch {
    return undefined;
  }
}

/** napi-rs's package names: `mmvec-<platform>-<arch>[-gnu|-musl]`; the module exists for Linux and macOS. */
function platformPackageName(): string | undefined {
  if (process.platform === 'darwin') return `mmvec-darwin-${process.arch}`;
  if (process.platform !== 'linux') return undefined;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return `mmvec-linux-${process.arch}-${header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}
