/**
 * A fresh temporary directory for every test: created before each test with
 * `fs.mkdtempSync` under `os.tmpdir()`, removed (recursively) after it.
 *
 *   const tmp = useTmpDir();
 *   it('...', () => { const file = tmp.file('a.bin'); ... });
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export interface TmpDir {
  /** The current test's directory. Only valid inside a test or its hooks. */
  readonly dir: string;
  /** `path.join(dir, ...parts)`; with no parts, a fresh `vector-N.bin` name. */
  file(...parts: string[]): string;
}

export function useTmpDir(prefix = 'mmvec-test-'): TmpDir {
  let current: string | undefined;
  let counter = 0;

  beforeEach(() => {
    current = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    counter = 0;
  });

  afterEach(() => {
    if (current !== undefined) fs.rmSync(current, { recursive: true, force: true });
    current = undefined;
  });

  const dir = (): string => {
    if (current === undefined) throw new Error('useTmpDir: the directory only exists inside a test');
    return current;
  };

  return {
    get dir() {
      return dir();
    },
    file(...parts: string[]) {
      return parts.length > 0 ? path.join(dir(), ...parts) : path.join(dir(), `vector-${++counter}.bin`);
    },
  };
}
