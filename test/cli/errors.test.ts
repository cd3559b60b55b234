/**
 * The CLI's messages for system errors: the description Node's libuv gives each code
 * (util.getSystemErrorMap()), after the file's name; other errors keep their message.
 */

import { describe, expect, it } from 'vitest';
// From the build, which has the native addon beside it (src/ does not).
import { describeError } from '../../dist/src/cli/errors.js';
import { useCli } from '../helpers/cli';

const coded = (code: string, message = `${code}: raw message`): Error => Object.assign(new Error(message), { code });

describe('describeError', () => {
  it("names the file and gives the code's description", () => {
    expect(describeError(coded('ENOENT'), 'a.csv')).toBe('a.csv: no such file or directory');
    expect(describeError(coded('EACCES'), 'a.csv')).toBe('a.csv: permission denied');
    expect(describeError(coded('ENOSPC'), 'out.f64')).toBe('out.f64: no space left on device');
    expect(describeError(coded('EXDEV'), 'out.f64')).toBe('out.f64: cross-device link not permitted');
    expect(describeError(Object.assign(coded('EROFS'), { path: '/ro/x' }))).toBe('/ro/x: read-only file system');
  });

  it('an unknown code keeps its message', () => {
    expect(describeError(coded('ENOTACODE', 'something odd'), 'a.csv')).toBe('a.csv: something odd');
    expect(describeError(new Error('plain'))).toBe('plain');
  });
});

describe('system errors through the CLI', () => {
  const { fails, write } = useCli('mmvec-errors-');

  it('a path through a file is ENOTDIR', () => {
    write('x.txt', '1\n');
    fails(1, ['mmvec: x.txt/y.csv: not a directory'], 'import', 'x.txt/y.csv', 'out.f64', '--dtype', 'f64');
  });
});
