/**
 * The servers the Redis suites run on: Debian's `redis-server` on PATH, and each server
 * `.ci/servers.sh` unpacked from the wheels pinned in `.ci/servers.tsv`. vitest.config.ts
 * makes one project per server found; the harness (redis.ts) starts the one named by
 * `MMVEC_REDIS_SERVER`.
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository's .ci/ (found upwards: this file also runs compiled, from .bench-build/). */
const CI_DIR = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.ci', 'servers.tsv'))) return path.join(dir, '.ci');
  }
  throw new Error(`no .ci/servers.tsv above ${__dirname}`);
})();

export interface ServerVersion {
  product: 'redis' | 'valkey';
  /** [major, minor, patch] */
  version: [number, number, number];
  /** e.g. `redis 8.2.3` */
  label: string;
}

export interface ServerBinary extends ServerVersion {
  binary: string;
}

/** What `binary --version` says it is; `undefined` if it does not run. */
export function versionOf(binary: string): ServerVersion | undefined {
  let output: string;
  try {
    output = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  const match = /^(Redis|Valkey) server v=(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!match) return undefined;
  const product = match[1] === 'Valkey' ? 'valkey' : 'redis';
  const version: [number, number, number] = [Number(match[2]), Number(match[3]), Number(match[4])];
  return { product, version, label: `${product} ${version.join('.')}` };
}

/** Every server to test on, each once, and a line for each pinned one that is absent. */
export function discoverServers(): { found: ServerBinary[]; missing: string[] } {
  const found: ServerBinary[] = [];
  const missing: string[] = [];
  const add = (binary: string, absent: string) => {
    const version = versionOf(binary);
    if (!version) missing.push(absent);
    else if (!found.some((s) => s.label === version.label)) found.push({ ...version, binary });
  };
  add(onPath('redis-server') ?? 'redis-server', 'redis-server is not on PATH (apt-get install redis-server)');
  for (const { label, binary } of pinnedServers()) {
    add(
      path.join(CI_DIR, 'servers', label, binary),
      `${label} is not unpacked in .ci/servers/ (run bash .ci/servers.sh)`,
    );
  }
  return { found, missing };
}

function pinnedServers(): { label: string; binary: string }[] {
  return fs
    .readFileSync(path.join(CI_DIR, 'servers.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [label = '', , inner = ''] = line.split('\t');
      return { label, binary: path.basename(inner) };
    });
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir !== '' && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
