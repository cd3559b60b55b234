import { describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';
const tmp = useTmpDir();
describe('smoke', () => {
  it('works', () => {
    const v = MmapVector.open(tmp.file());
    v.push(1);
    expect(v.get(0)).toBe(1);
    v.close();
    const g = (globalThis as { gc?: unknown }).gc;
    console.log(typeof g, process.execArgv, typeof Symbol.dispose);
  });
});
