/**
 * Memory held per call by the methods that return copies, from resident memory (RSS),
 * each case in a fresh Node process (so memory freed by one case cannot hide the next):
 *
 * - "held": growth over a batch of calls made synchronously, after a full GC. Copies
 *   whose native finalizers run only when the event loop turns stay resident until then.
 * - "kept": growth over a second, equal batch, after the event loop has turned and GC has
 *   run between the batches. Memory that was freed is reused, so this is ~0 B unless
 *   something leaks.
 *
 * Usage (by memoryPerCall): node --expose-gc inprocess-memory.js <case> <vector file>
 */

import { execFileSync } from 'node:child_process';
import { MmapVector } from 'mmvec';
import type { Fixtures } from './fixtures.js';

const CASES: Record<string, { calls: number; call: (v: MmapVector, k: number) => number }> = {
  'getMany([i])': { calls: 200_000, call: (v, k) => v.getMany([k & 1023])[0]! },
  'getMany(1,000 indices)': {
    calls: 10_000,
    call: (v, k) => v.getMany(Array.from({ length: 1000 }, (_, j) => (k + j) & 1023))[0]!,
  },
  'slice(i, i + 1)': { calls: 200_000, call: (v, k) => v.slice(k & 1023, (k & 1023) + 1)[0]! },
};

interface Probe {
  held: number;
  kept: number;
  calls: number;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function probe(name: string, file: string): Promise<Probe> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const { calls, call } = CASES[name]!;
  const vector = MmapVector.open(file, { mode: 'r' });
  let sum = 0;
  const batch = () => {
    for (let k = 0; k < calls; k++) sum += call(vector, k);
  };
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await turn();
    }
  };
  for (let k = 0; k < 1000; k++) sum += call(vector, k);
  await settle();
  const before = process.memoryUsage().rss;
  batch();
  gc();
  const held = (process.memoryUsage().rss - before) / calls;
  await settle();
  const middle = process.memoryUsage().rss;
  batch();
  await settle();
  const kept = (process.memoryUsage().rss - middle) / calls;
  vector.close();
  if (Number.isNaN(sum)) throw new Error('unexpected NaN');
  return { held, kept, calls };
}

export function memoryPerCall(fx: Fixtures): string {
  const file = fx.vector.path;
  const bytes = (x: number) => `${Math.max(0, x).toFixed(0)} B`;
  const results = Object.keys(CASES).map((name) => {
    const out = execFileSync(process.execPath, ['--expose-gc', __filename, name, file], { encoding: 'utf8' });
    const { held, kept, calls } = JSON.parse(out) as Probe;
    return `${name}: held ${bytes(held)}, kept ${bytes(kept)} (${calls.toLocaleString('en-US')} calls per batch)`;
  });
  return `Memory per call, from RSS in a fresh process per case (held = resident after a synchronous batch and a GC, before the event loop turns; kept = growth over a second batch after the loop turned, ~0 B unless something leaks): ${results.join(' · ')}.`;
}

if (require.main === module) {
  const [name, file] = process.argv.slice(2);
  if (!name || !file || !CASES[name]) {
    console.error(`usage: node --expose-gc inprocess-memory.js <${Object.keys(CASES).join('|')}> <file>`);
    process.exit(2);
  }
  probe(name, file).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
