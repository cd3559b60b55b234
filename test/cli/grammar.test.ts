/**
 * One value grammar (the table in test/helpers/grammar.ts) through `mmvec import` and
 * back out through `mmvec export`: the CLI accepts, refuses and prints exactly what
 * `MMVEC.ADD` and `MmapVector.set` do (test/redis/grammar.test.ts).
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DTYPE_NAMES, casesFor } from '../helpers/grammar';
import { useTmpDir } from '../helpers/tmp';

const CLI = path.resolve(__dirname, '../../dist/src/cli/main.js');

describe.each(DTYPE_NAMES)('%s', (dtype) => {
  const tmp = useTmpDir('mmvec-grammar-');
  const cases = casesFor(dtype);

  it('mmvec import accepts, refuses and mmvec export prints the same texts', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: tmp.dir, encoding: 'utf8' });
    // A line's surrounding blanks are the text file's (trimmed, and a blank line is
    // skipped), not the value's: those texts are Redis's and the addon's alone.
    const lines = cases.filter(([text]) => text !== '' && text.trim() === text);
    const accepted = lines.filter(([, printed]) => printed !== null);
    fs.writeFileSync(tmp.file('ok.txt'), accepted.map(([text]) => text).join('\n'));
    const imported = cli('import', 'ok.txt', 'ok.bin', '--dtype', dtype);
    expect(imported.stderr).toBe('');
    const exported = cli('export', 'ok.bin', '-', '--dtype', dtype);
    expect(exported.stdout.split('\n').slice(0, -1)).toEqual(accepted.map(([, printed]) => printed));
    for (const [text] of lines.filter(([, printed]) => printed === null)) {
      fs.writeFileSync(tmp.file('bad.txt'), `${text}\n`);
      const refused = cli('import', 'bad.txt', 'bad.bin', '--dtype', dtype);
      expect({ text, status: refused.status, stderr: refused.stderr }).toEqual({
        text,
        status: 1,
        stderr: expect.stringMatching(new RegExp(`^mmvec: bad\\.txt:1:1: '.*' is not a valid ${dtype} \\(`)),
      });
    }
  });
});
