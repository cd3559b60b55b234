/**
 * The Python that tests run numpy and redis-py with: the test venv `.ci/run` makes
 * (`.ci/.venv`, from `.ci/python-requirements.txt`). Where it is missing, the suites that
 * need it say so in one line and do not run; in CI it must be there.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const VENV_PYTHON = path.resolve(__dirname, '../../.ci/.venv/bin/python');

let found: string | false | undefined;

/** The venv's python if it imports every module named; `undefined` (said once) otherwise. */
export function pythonWith(...modules: string[]): string | undefined {
  if (found === undefined) {
    const ok =
      fs.existsSync(VENV_PYTHON) &&
      spawnSync(VENV_PYTHON, ['-c', `import ${['numpy', 'redis', ...modules].join(', ')}`]).status === 0;
    found = ok ? VENV_PYTHON : false;
    if (!ok) {
      const why = `${path.relative(process.cwd(), VENV_PYTHON)} with numpy and redis-py is missing (bash .ci/run makes it)`;
      if (process.env.CI) throw new Error(why);
      console.warn(`mmvec: not running the Python suites: ${why}`);
    }
  }
  return found || undefined;
}

/** Runs `code` with that python; its stdout, or throws with its stderr. */
export function runPython(python: string, code: string, cwd: string): string {
  const result = spawnSync(python, ['-c', code], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`python exited with ${result.status ?? result.signal}:\n${result.stderr}`);
  return result.stdout;
}
