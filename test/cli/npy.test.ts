/**
 * The command line on `.npy` files. `mmvec info`: the header gives the dtype (a `--dtype`
 * that disagrees is an error) and the output says `format: npy`; a raw file's output has
 * no format line. `mmvec import` into a DEST ending in `.npy` writes a `.npy` (header and
 * all), also over an existing one of another dtype.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir('mmvec-cli-npy-');
const CLI = path.resolve(__dirname, '../../dist/src/cli/main.js');

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

describe('mmvec import into a .npy DEST', () => {
  it('writes the header, so the file opens as .npy with the values imported', () => {
    fs.writeFileSync(tmp.file('in.csv'), 'a,b\n1,2.5\n3,"4.5"\n');
    expect(mmvec('import', 'in.csv', 'out.npy', '--column', 'b', '--dtype', 'f64')).toMatchObject({
      status: 0,
      stderr: '',
    });
    using v = MmapVector.open(tmp.file('out.npy'), { mode: 'r' });
    expect([v.format, v.dtype, v.length, v.dataOffset]).toEqual(['npy', 'float64', 2, 128]);
    expect(Array.from(v.slice())).toEqual([2.5, 4.5]);
    expect(fs.readFileSync(tmp.file('out.npy')).subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  });

  it('replaces an existing .npy of another dtype', () => {
    const old = MmapVector.open(tmp.file('old.npy'), { dtype: 'int16' });
    old.pushArray([1, 2, 3]);
    old.close();
    fs.writeFileSync(tmp.file('in.txt'), '7\n8\n');
    expect(mmvec('import', 'in.txt', 'old.npy', '--dtype', 'uint32')).toMatchObject({ status: 0, stderr: '' });
    using v = MmapVector.open(tmp.file('old.npy'), { mode: 'r' });
    expect([v.format, v.dtype, Array.from(v.slice())]).toEqual(['npy', 'uint32', [7, 8]]);
  });
});

describe('mmvec export of a .npy FILE', () => {
  it('takes the dtype from the header when --dtype is not given', () => {
    const v = MmapVector.open(tmp.file('e.npy'), { dtype: 'int32' });
    v.pushArray([-1, 20, 300]);
    v.close();
    expect(mmvec('export', 'e.npy', '-')).toEqual({ status: 0, stderr: '', stdout: '-1\n20\n300\n' });
    expect(mmvec('export', 'e.npy', '-', '--dtype', 'float64')).toEqual({
      status: 1,
      stderr: 'mmvec: e.npy: e.npy holds int32 (its .npy header says so), not float64\n',
      stdout: '',
    });
  });
});
