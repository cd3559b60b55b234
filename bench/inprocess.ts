/**
 * Suite 1, in-process: one Node process, one run. Usage: node inprocess.js <out.json>
 * (run by run.js; prints progress on stderr).
 */

import * as fs from 'node:fs';
import { createFixtures, COUNT } from './fixtures.js';
import { memoryPerCall } from './inprocess-memory.js';
import { bigOpen } from './inprocess-scale.js';
import { gather, randomGet, randomView, sequentialScan } from './inprocess-reads.js';
import { pushArray, pushOne, randomSet } from './inprocess-writes.js';
import { sink } from './timing.js';
import type { Comparison, SuiteResult } from './types.js';

export async function runInProcess(): Promise<SuiteResult> {
  const started = performance.now();
  const fx = await createFixtures();
  const comparisons: Comparison[] = [];
  const notes: string[] = [
    `Data: ${COUNT.toLocaleString('en-US')} float64 (8 MB) in a temp file; random indices come from a fixed table of 65,536 pseudo-random positions, the same for subject and baselines (the index load is part of every figure).`,
    `lmdb: ${COUNT.toLocaleString('en-US')} entries preloaded in ${(fx.lmdbLoadMs / 1000).toFixed(1)} s (keyEncoding uint32, 8-byte binary values), opened with noSync: true so commits are not fsynced (nothing else measured here fsyncs either). putSync is one write transaction per put.`,
    'Growing files (push, pushArray, and their fs/lmdb baselines) are cut back to zero between samples, outside the timed region, once they reach 8 MB (push) or 64 MiB (pushArray).',
  ];
  const rssGrowth: string[] = [];
  const step = async (name: string, run: () => Comparison[] | Promise<Comparison[]>) => {
    const t = performance.now();
    const rss = process.memoryUsage().rss;
    process.stderr.write(`  in-process: ${name} … `);
    comparisons.push(...(await run()));
    rssGrowth.push(`${name} ${((process.memoryUsage().rss - rss) / 2 ** 20).toFixed(1)}`);
    process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  };
  try {
    await step('random get(i)', () => randomGet(fx));
    await step('view()[i]', () => randomView(fx));
    await step('sequential scan', () => sequentialScan(fx));
    await step('getMany(1,000)', () => gather(fx));
    await step('push(v)', () => pushOne(fx));
    await step('pushArray(8 MiB)', () => pushArray(fx));
    await step('set(i, v)', () => randomSet(fx));
    await step('8 GB open', () => {
      const scale = bigOpen(fx);
      notes.push(...scale.notes);
      return scale.comparisons;
    });
    notes.push(memoryPerCall(fx));
  } finally {
    await fx.close();
  }
  notes.push(`Resident memory (RSS) growth of this process over each group, in MiB: ${rssGrowth.join(' · ')}.`);
  notes.push(`(checksum of all measured work, to keep it from being optimized away: ${sink.toExponential(3)})`);
  return {
    suite: 'inprocess',
    title: 'Suite 1 — in-process (Node)',
    seconds: (performance.now() - started) / 1000,
    comparisons,
    notes,
  };
}

if (require.main === module) {
  const out = process.argv[2];
  runInProcess().then(
    (result) => {
      const json = JSON.stringify(result, null, 2);
      if (out) fs.writeFileSync(out, json);
      else process.stdout.write(`${json}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
