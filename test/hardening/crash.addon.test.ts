/**
 * Crash consistency of the addon under SIGKILL: a child appends with push/pushArray and
 * prints each new length; it is killed with SIGKILL at random moments; the file is reopened
 * and must hold every acknowledged value, in order, with a size of whole elements and no
 * zeros; appending continues in the next round.
 *
 * Kill delays are random (a seed is printed; MMVEC_CRASH_SEED replays one).
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { checkSequence, cleanUp, dirs, lastAck, packageRoot, rng, seed, sleep, spawnNode } from './crash-support';

afterAll(cleanUp);

const ADDON_WRITER = `
const { MmapVector } = require(process.env.MMVEC_ROOT);
const v = MmapVector.open(process.env.FILE, { dtype: 'int64', mode: 'a' });
let state = Number(process.env.SEED) >>> 0;
const random = () => { state = (state * 1664525 + 1013904223) >>> 0; return state / 4294967296; };
let next = BigInt(v.length) + 1n;
process.stdout.write('ready ' + v.length + '\\n');
for (;;) {
  const r = random();
  if (r < 0.3) {
    v.push(next);
  } else if (r < 0.45) {
    const n = 1 + Math.floor(random() * 6);
    const values = [];
    for (let k = 0; k < n; k++) values.push(next + BigInt(k));
    v.push(...values);
  } else if (r < 0.9) {
    const n = 1 + Math.floor(random() * 128);
    const values = new BigInt64Array(n);
    for (let k = 0; k < n; k++) values[k] = next + BigInt(k);
    v.pushArray(values);
  } else {
    const n = 1 + Math.floor(random() * 64);
    v.pushArray(Array.from({ length: n }, (_, k) => next + BigInt(k)));
  }
  next = BigInt(v.length) + 1n;
  process.stdout.write('ack ' + v.length + '\\n');
}
`;

describe('SIGKILL of a Node process appending through the addon', () => {
  it('every acknowledged append survives; the size is whole elements; no zeros', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-crash-addon-'));
    dirs.push(dir);
    const file = path.join(dir, 'seq.i64');
    let acked = 0n;
    for (let round = 0; round < 6; round++) {
      const delay = 30 + rng.int(400);
      const writer = spawnNode(ADDON_WRITER, { MMVEC_ROOT: packageRoot, FILE: file, SEED: String(seed + round) });
      await writer.ready;
      await sleep(delay);
      writer.child.kill('SIGKILL');
      const out = await writer.done;
      expect(out.signal, out.stderr).toBe('SIGKILL');
      const ack = lastAck(out.stdout);
      expect(ack > acked, `round ${round} (seed ${seed}, kill after ${delay} ms) acknowledged nothing new`).toBe(true);
      acked = ack;
      const count = checkSequence(file, acked);
      // Reopening agrees with the file, read-only and read-write (the writer's lock died with it).
      using reader = MmapVector.open(file, { dtype: 'int64', mode: 'r' });
      expect(reader.length).toBe(Number(count));
      using writer2 = MmapVector.open(file, { dtype: 'int64', mode: 'r+' });
      expect(writer2.length).toBe(Number(count));
      if (count > 0n) expect(writer2.get(Number(count) - 1)).toBe(count);
    }
  });
});
