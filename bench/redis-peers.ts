/**
 * The two C modules the Redis suite loads beside mmvec, built by
 * ../shared/bench-peers/build.sh: `seed.so` (the seed notebook's own module) and
 * `ceiling.so` (the least work a module command can do: see ceiling.c there).
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './env.js';

export interface Peers {
  seed: string;
  ceiling: string;
}

const BUILD = path.resolve(ROOT, '../shared/bench-peers/build.sh');

/** Builds both modules into target/bench-peers; the reason if that cannot be done here. */
export function buildPeers(): Peers | { missing: string } {
  if (!fs.existsSync(BUILD)) return { missing: `${path.relative(ROOT, BUILD)} is not there` };
  try {
    const out = execFileSync('bash', [BUILD, path.join(ROOT, 'target', 'bench-peers')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const [seed, ceiling] = out.trim().split('\n').slice(-2);
    if (!seed?.endsWith('seed.so') || !ceiling?.endsWith('ceiling.so'))
      return { missing: `build.sh printed ${JSON.stringify(out)}` };
    return { seed, ceiling };
  } catch (error) {
    return { missing: `build.sh failed: ${(error as Error).message.split('\n')[0]}` };
  }
}
