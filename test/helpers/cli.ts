/**
 * Running the `mmvec` command line as a child process (`node dist/src/cli/main.js ...`,
 * so `npm run build:ts` first) in each test's fresh temporary directory, so relative
 * paths in its messages are stable; and the files such tests write and read.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect } from 'vitest';
import { type DType, MmapVector } from '../..';
import { type TmpDir, useTmpDir } from './tmp';

export const CLI = path.resolve(__dirname, '../../dist/src/cli/main.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Cli {
  tmp: TmpDir;
  /** Runs the CLI in the test's directory. */
  mmvec(...args: string[]): Run;
  /** Runs the CLI expecting success with no stderr (a pipe is not a TTY: no progress bar); returns stdout. */
  ok(...args: string[]): string;
  /** Runs the CLI expecting failure: exactly `lines` on stderr, nothing on stdout, no stack trace. */
  fails(status: number, lines: string[], ...args: string[]): void;
  /** The usage hint printed after a usage error. */
  usage(command: string): string;
  /** Writes a file in the test's directory; returns its name. */
  write(name: string, content: string | Uint8Array): string;
  /** A vector file holding `values`; returns its name. */
  vectorFile(name: string, dtype: DType, values: ArrayLike<number | bigint>): string;
  /** The elements of a vector file. */
  read(name: string, dtype: DType): (number | bigint)[];
}

export function useCli(prefix: string): Cli {
  const tmp = useTmpDir(prefix);
  beforeAll(() => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build:ts" first`);
  });
  const mmvec = (...args: string[]): Run => {
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp.dir, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  return {
    tmp,
    mmvec,
    ok(...args) {
      const run = mmvec(...args);
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      return run.stdout;
    },
    fails(status, lines, ...args) {
      const run = mmvec(...args);
      expect({ status: run.status, stderr: run.stderr, stdout: run.stdout }).toEqual({
        status,
        stderr: lines.map((l) => `${l}\n`).join(''),
        stdout: '',
      });
    },
    usage: (command) => `Run "mmvec ${command} --help" for usage.`,
    write(name, content) {
      fs.writeFileSync(tmp.file(name), content);
      return name;
    },
    vectorFile(name, dtype, values) {
      const v = MmapVector.open<DType>(tmp.file(name), { dtype, mode: 'w+' });
      v.pushArray(values as ArrayLike<never>);
      v.close();
      return name;
    },
    read(name, dtype) {
      const v = MmapVector.open<DType>(tmp.file(name), { dtype, mode: 'r' });
      const values = Array.from(v.slice() as ArrayLike<number | bigint>);
      v.close();
      return values;
    },
  };
}
