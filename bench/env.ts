/** The machine, tool versions, and the mmap-io install probe, for the report's header. */

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (this file runs from .bench-build/bench/). */
export const ROOT = path.resolve(__dirname, '..', '..');

export interface Environment {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  platform: string;
  date: string;
  versions: Record<string, string>;
  git: string;
}

function command(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unavailable';
  }
}

/** The version in the package.json of an installed package (found from its entry point). */
function packageVersion(name: string): string {
  try {
    let dir = path.dirname(require.resolve(name, { paths: [ROOT] }));
    while (dir !== path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? '?';
      }
      dir = path.dirname(dir);
    }
  } catch {
    // fall through
  }
  return 'not installed';
}

export function collectEnvironment(): Environment {
  const redis = command('redis-server', ['--version']);
  const bench = command('redis-benchmark', ['--version']);
  const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const head = command('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = command('git', ['status', '--porcelain', '--untracked-files=no']);
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    kernel: os.release(),
    platform: `${os.type()} ${os.arch()}`,
    date: new Date().toISOString(),
    versions: {
      node: process.version,
      'redis-server': /v=(\S+)/.exec(redis)?.[1] ?? redis,
      'redis-benchmark': bench.replace(/^redis-benchmark\s*/, ''),
      rustc: command('rustc', ['--version']).replace(/^rustc\s*/, ''),
      mmvec: own.version,
      lmdb: packageVersion('lmdb'),
      tinybench: packageVersion('tinybench'),
      ioredis: packageVersion('ioredis'),
    },
    git:
      head === 'unavailable'
        ? head
        : `${head}${dirty && dirty !== 'unavailable' ? ' with uncommitted changes to tracked files' : ''}`,
  };
}

export interface MmapIoProbe {
  ok: boolean;
  exitCode: number | null;
  tried: string;
  /** The first compiler/npm error line, when the install failed. */
  firstError?: string;
  /** A hint drawn from the output (e.g. the C++ standard), when one is recognised. */
  hint?: string;
  seconds: number;
}

/** `npm install --no-save mmap-io` in a fresh temp dir: does it build on this Node? */
export function probeMmapIo(): MmapIoProbe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-bench-mmap-io-'));
  const started = performance.now();
  try {
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'mmap-io-probe', version: '0.0.0', private: true }),
    );
    const result = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', 'mmap-io'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    const lines = output.split('\n').map((line) => line.replace(/^npm (error|ERR!)\s*/, '').trim());
    const installed = path.join(dir, 'node_modules', 'mmap-io', 'package.json');
    const version = fs.existsSync(installed)
      ? (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version: string }).version
      : /mmap-io@(\d[\w.-]*)/.exec(output)?.[1];
    const tried = `mmap-io${version ? `@${version}` : ''}`;
    const seconds = (performance.now() - started) / 1000;
    if (result.status === 0) return { ok: true, exitCode: 0, tried, seconds };
    const firstError =
      lines.find((line) => /\berror:/.test(line)) ??
      lines.find((line) => /\b(ERR|error)\b/i.test(line) && !/^code\b/.test(line)) ??
      (result.error ? String(result.error) : 'no error line in the output');
    const hint = /only available from C\+\+17/.test(output)
      ? "the addon is compiled below C++17, and Node 20's V8 headers need C++17 (the compiler notes “only available from C++17 onwards”)"
      : undefined;
    return { ok: false, exitCode: result.status, tried, firstError, hint, seconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
