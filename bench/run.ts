/**
 * `npm run bench` orchestrator (after the build and the bench compile): probes mmap-io,
 * runs each suite in its own Node process, and writes bench/RESULTS.md.
 *
 * BENCH_QUICK=1 runs short versions and writes .bench-build/RESULTS.quick.md instead,
 * leaving bench/RESULTS.md alone.
 */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, collectEnvironment, probeMmapIo } from './env.js';
import { renderReport } from './report.js';
import type { SuiteResult } from './types.js';

const QUICK = process.env.BENCH_QUICK === '1';
const OUT_DIR = path.join(ROOT, '.bench-build', 'results');

function runSuite(script: string): Promise<SuiteResult> {
  const out = path.join(OUT_DIR, `${path.basename(script, '.js')}.json`);
  fs.rmSync(out, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, script), out], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code ?? signal}`));
      resolve(JSON.parse(fs.readFileSync(out, 'utf8')) as SuiteResult);
    });
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const env = collectEnvironment();
  const loadAverages = [{ when: 'at start', load: os.loadavg() }];

  process.stderr.write('bench: npm install --no-save mmap-io (probe) … ');
  const mmapIo = probeMmapIo();
  process.stderr.write(`${mmapIo.ok ? 'installed' : 'failed'} (${mmapIo.seconds.toFixed(0)} s)\n`);

  process.stderr.write('bench: suite 1, in-process\n');
  const inprocess = await runSuite('inprocess.js');
  loadAverages.push({ when: 'after suite 1', load: os.loadavg() });
  process.stderr.write('bench: suite 2, Redis\n');
  const redis = await runSuite('redis.js');
  loadAverages.push({ when: 'after suite 2', load: os.loadavg() });
  process.stderr.write('bench: suite 3, mmvec import\n');
  const cli = await runSuite('cli-import.js');
  loadAverages.push({ when: 'at end', load: os.loadavg() });

  const report = renderReport({
    env,
    mmapIo,
    suites: [inprocess, redis, cli],
    seconds: (performance.now() - started) / 1000,
    loadAverages,
  });
  const file = QUICK ? path.join(ROOT, '.bench-build', 'RESULTS.quick.md') : path.join(ROOT, 'bench', 'RESULTS.md');
  fs.writeFileSync(file, report);
  const targets = report.slice(report.indexOf('## Targets'), report.indexOf('\n## Suite 1'));
  process.stdout.write(
    `\n${targets}\nbench: wrote ${path.relative(ROOT, file)} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
