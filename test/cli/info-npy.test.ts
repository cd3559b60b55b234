/**
 * `mmvec info` on a `.npy` file: the header gives the dtype (a `--dtype` that disagrees is
 * an error) and the output says `format: npy`; a raw file's output has no format line.
 */

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir('mmvec-cli-npy-');
const CLI = path.resolve(__dirname, '../../dist/src/cli.js');

function mmvec(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp.dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mmvec info on .npy files', () => {
  it('takes the dtype from the header and prints format: npy', () => {
    const v = MmapVector.open(tmp.file('a.npy'), { dtype: 'int16' });
    v.pushArray([1, 5, 3]);
    v.close();
    expect(mmvec('info', 'a.npy')).toEqual({
      status: 0,
      stderr: '',
      stdout: [
        'file:  a.npy',
        'format: npy',
        'dtype: int16',
        'count: 3',
        'size:  6 bytes',
        'min:   1',
        'max:   5',
        'mean:  3',
        'spark: ▁█▅',
        '',
      ].join('\n'),
    });
    expect(mmvec('info', 'a.npy', '--dtype', 'i16').stdout).toContain('format: npy\ndtype: int16\n');
    expect(mmvec('info', 'a.npy', '--dtype', 'float64')).toEqual({
      status: 1,
      stderr: `mmvec: a.npy: a.npy holds int16 (its .npy header says so), not float64\n`,
      stdout: '',
    });
  });

  it('a raw file prints no format line', () => {
    const v = MmapVector.open(tmp.file('r.bin'), { dtype: 'uint8' });
    v.push(7);
    v.close();
    expect(mmvec('info', 'r.bin', '--dtype', 'u8').stdout).toBe(
      [
        'file:  r.bin',
        'dtype: uint8',
        'count: 1',
        'size:  1 bytes',
        'min:   7',
        'max:   7',
        'mean:  7',
        'spark: ▁',
        '',
      ].join('\n'),
    );
  });
});
