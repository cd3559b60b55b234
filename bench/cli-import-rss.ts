/**
 * Preloaded (`node --require`) into the `mmvec import` child that bench/cli-import.ts
 * measures: as the child exits, writes its peak RSS (`maxRSS`, KiB) to the file named by
 * MMVEC_BENCH_RSS_FILE, so the figure is the child's own and not its parent's.
 */

import * as fs from 'node:fs';

const file = process.env.MMVEC_BENCH_RSS_FILE;
if (file) process.once('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
