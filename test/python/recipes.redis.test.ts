/**
 * Every recipe in docs/PYTHON.md, run as written against a real server with the module:
 * only its `DIR = …` and `PORT = …` lines are pointed at this server. A recipe checks its
 * own results with `assert`.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonWith, runPython } from '../helpers/python';
import { startServer, testedServer, type TestServer } from '../helpers/redis';

const DOC = path.resolve(__dirname, '../../docs/PYTHON.md');

/** Each ```python block with the heading above it. */
function recipes(): { title: string; code: string }[] {
  const out: { title: string; code: string }[] = [];
  let title = '';
  const lines = fs.readFileSync(DOC, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('## ')) title = lines[i]!.slice(3);
    if (lines[i] === '```python') {
      const end = lines.indexOf('```', i + 1);
      out.push({ title, code: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return out;
}

const python = pythonWith();

describe.runIf(python)(`docs/PYTHON.md recipes on ${testedServer().label}`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it('the page has recipes, each setting PORT (and DIR where it reads files)', () => {
    const all = recipes();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const { title, code } of all) expect(code, title).toMatch(/^PORT = 6379$/m);
  });

  for (const { title, code } of recipes()) {
    it(title, () => {
      const pointed = code
        .replace(/^DIR = .*$/m, `DIR = ${JSON.stringify(server.dir)}`)
        .replace(/^PORT = .*$/m, `PORT = ${server.port}`);
      runPython(python!, pointed, server.dir);
    });
  }
});
