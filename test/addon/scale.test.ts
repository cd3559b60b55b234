/**
 * Vectors larger than memory and than one typed array: sparse files of 8 and 80 GB open
 * in constant time, and reads work at both ends.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';

describe('huge sparse vectors', () => {
  const tmp = useTmpDir();

  it('reads and writes both ends of a 10^9-element float64 vector (8 GB, beyond one typed array)', () => {
    const file = tmp.file('big.f64');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 8e9);
    const v = MmapVector.open(file, { mode: 'r+' });
    try {
      expect(v.length).toBe(1e9);
      v.set(1e9 - 1, 2.5);
      expect(v.get(0)).toBe(0);
      expect(v.get(1e9 - 1)).toBe(2.5);
      expect(Array.from(v.getMany([0, 1e9 - 1]))).toEqual([0, 2.5]);
      expect(Array.from(v.slice(-2))).toEqual([0, 2.5]);
      expect(() => v.get(1e9)).toThrow('index 1000000000 is out of range for length 1000000000');
      // A view cannot span it: Node caps one ArrayBuffer at 4 GiB.
      expect(() => v.view()).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_TOO_LARGE' }));
    } finally {
      v.close();
    }
  });

  it('maps an 80 GB file read-only on a machine with less memory', () => {
    const file = tmp.file('huge.f64');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 8e10);
    const v = MmapVector.open(file, { mode: 'r' });
    try {
      expect(v.length).toBe(1e10);
      expect(v.get(1e10 - 1)).toBe(0);
    } finally {
      v.close();
    }
  });
});
