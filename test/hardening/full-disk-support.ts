/** What the full-disk suites share: a 1 MiB tmpfs to fill, mounted for one test file. */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ENOSPC_TEXT = 'No space left on device (os error 28)';

export interface SmallDisk {
  /** The tmpfs mount point (realpath'd). */
  dir: string;
  /** Why there is no tmpfs (the tests skip, saying so), or undefined. */
  skipReason?: string;
  unmount(): void;
}

/** Mounts a 1 MiB tmpfs on a new temp dir; needs root and `mount`. */
export function mountSmallDisk(): SmallDisk {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-full-')));
  const dir = path.join(base, 'disk');
  fs.mkdirSync(dir);
  let mounted = false;
  let skipReason: string | undefined;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    skipReason = `cannot mount a 1 MiB tmpfs (needs root and mount): ${(error as Error).message.split('\n')[0]}`;
    console.warn(`full-disk tests skipped: ${skipReason}`);
  }
  return {
    dir,
    skipReason,
    unmount() {
      if (mounted) {
        try {
          execFileSync('umount', [dir], { stdio: 'pipe' });
        } catch {
          execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
        }
      }
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
