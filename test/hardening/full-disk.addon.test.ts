/**
 * The addon on a full disk (a 1 MiB tmpfs), in-process: pushArray/push beyond the capacity
 * throw an Error with code `ENOSPC`, the vector stays whole and usable, and after space is
 * freed (another file deleted) appends work again.
 *
 * Needs `mount -t tmpfs` (root); without it the test is skipped, saying why.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodedError, MmapVector } from '../..';
import { ENOSPC_TEXT, mountSmallDisk, type SmallDisk } from './full-disk-support';

let disk: SmallDisk;
let addonDir: string;
let skipReason: string | undefined;

beforeAll(() => {
  disk = mountSmallDisk();
  addonDir = disk.dir;
  skipReason = disk.skipReason;
});

afterAll(() => disk.unmount());

describe('the addon on a full file system', () => {
  it('pushArray/push beyond capacity throw ENOSPC; the vector stays whole and usable; freeing space heals', (ctx) => {
    if (skipReason) ctx.skip();
    const file = path.join(addonDir, 'fill.f64');
    const ballastFile = path.join(addonDir, 'ballast.f64');
    const message = `write ${file}: ${ENOSPC_TEXT}`;
    const expectEnospc = (fn: () => unknown): void => {
      let caught: unknown;
      try {
        fn();
      } catch (error) {
        caught = error;
      }
      expect(caught, 'expected ENOSPC').toBeInstanceOf(Error);
      expect({ code: (caught as CodedError).code, message: (caught as Error).message }).toEqual({
        code: 'ENOSPC',
        message,
      });
    };
    const values = (start: number, n: number): Float64Array =>
      Float64Array.from({ length: n }, (_, k) => start + k + 1);

    using ballast = MmapVector.open(ballastFile);
    expect(ballast.pushArray(values(0, 32768))).toBe(32768);
    ballast.close();
    using v = MmapVector.open(file, { dtype: 'float64', mode: 'a' });

    let count = 0;
    for (let i = 0; i < 64; i++) {
      try {
        v.pushArray(values(count, 8192));
        count += 8192;
      } catch {
        break;
      }
    }
    expectEnospc(() => v.pushArray(values(count, 8192)));
    for (let i = 0; i < 2048; i++) {
      try {
        v.push(count + 1);
        count += 1;
      } catch {
        break;
      }
    }
    expectEnospc(() => v.push(count + 1));
    expectEnospc(() => v.push(count + 1, count + 2, count + 3));
    expectEnospc(() => v.pushArray([count + 1, count + 2]));
    expectEnospc(() => v.pushArray(new Float32Array([count + 1])));

    // Whole: length matches the file, every value intact, reads and in-place writes work.
    expect(v.length).toBe(count);
    expect(fs.statSync(file).size).toBe(count * 8);
    const expected = values(0, count);
    expect(v.slice()).toEqual(expected);
    expect(v.view()).toEqual(expected);
    expect(v.get(count - 1)).toBe(count);
    v.set(0, 42);
    expect(v.get(0)).toBe(42);
    v.set(0, 1);
    v.flush();
    {
      using reader = MmapVector.open(file, { mode: 'r' });
      expect(reader.length).toBe(count);
      expect(reader.get(count - 1)).toBe(count);
    }

    // Delete another file to free space: appends work again.
    fs.unlinkSync(ballastFile);
    expect(v.pushArray(values(count, 8192))).toBe(count + 8192);
    count += 8192;
    expect(v.push(count + 1)).toBe(count + 1);
    count += 1;
    expect(v.length).toBe(count);
    expect(v.slice()).toEqual(values(0, count));
    v.close();
    expect(fs.readFileSync(file).equals(Buffer.from(values(0, count).buffer))).toBe(true);
  });
});
