/**
 * view(): a typed array over the mapping itself. Zero-copy both ways, detached (never
 * dangling) when the vector shrinks, closes, or a newer view replaces it after a length
 * change; copy-on-write in mode r; safe across garbage collection and remaps.
 */

import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type DType, MmapVector } from '../..';
import { useTmpDir } from '../helpers/tmp';

const tmp = useTmpDir();

/** `global.gc`, when the process has it (or V8 lets us expose it); undefined otherwise. */
function findGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
const gc = findGc();

async function collectGarbage(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc?.();
    // Finalizers of native objects run after the GC pass, on a later tick.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function readFloat64s(file: string): Float64Array {
  const bytes = fs.readFileSync(file);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

function expectDetached(view: ArrayLike<unknown> & { byteLength: number }): void {
  expect(view.length).toBe(0);
  expect(view.byteLength).toBe(0);
  expect((view as unknown as unknown[])[0]).toBeUndefined();
}

describe('view() is zero-copy', () => {
  it('writes through the view are seen by get(), slice() and the file', () => {
    const file = tmp.file();
    const v = MmapVector.open(file);
    v.pushArray(new Float64Array([1, 2, 3]));
    const view = v.view();
    view[1] = 42.5;
    expect(v.get(1)).toBe(42.5);
    expect(v.slice()).toEqual(new Float64Array([1, 42.5, 3]));
    v.flush();
    expect(readFloat64s(file)).toEqual(new Float64Array([1, 42.5, 3]));
    view.fill(-1);
    v.flush();
    expect(readFloat64s(file)).toEqual(new Float64Array([-1, -1, -1]));
    v.close();
  });

  it('writes with set() and setMany() are seen through an existing view', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'int32' });
    v.pushArray(new Int32Array([1, 2, 3]));
    const view = v.view();
    v.set(0, -7);
    v.setMany([1, 2], [8, 9]);
    expect(Array.from(view)).toEqual([-7, 8, 9]);
    v.close();
  });

  it('works for bigint types: the view is a BigInt64Array over the file', () => {
    const file = tmp.file();
    const v = MmapVector.open(file, { dtype: 'int64' });
    v.push(1n, -2n);
    const view = v.view();
    expect(view).toBeInstanceOf(BigInt64Array);
    view[0] = -(2n ** 63n);
    expect(v.get(0)).toBe(-(2n ** 63n));
    v.set(1, 2n ** 63n - 1n);
    expect(view[1]).toBe(2n ** 63n - 1n);
    v.flush();
    const bytes = fs.readFileSync(file);
    expect(bytes.readBigInt64LE(0)).toBe(-(2n ** 63n));
    expect(bytes.readBigInt64LE(8)).toBe(2n ** 63n - 1n);
    v.close();
  });

  it('works for every dtype', () => {
    const arrays: [DType, new (n: number) => { length: number; [i: number]: number | bigint }, number | bigint][] = [
      ['int8', Int8Array, -5],
      ['uint8', Uint8Array, 250],
      ['int16', Int16Array, -300],
      ['uint16', Uint16Array, 60000],
      ['int32', Int32Array, -70000],
      ['uint32', Uint32Array, 4000000000],
      ['int64', BigInt64Array, -5n],
      ['uint64', BigUint64Array, 2n ** 64n - 2n],
      ['float32', Float32Array, 0.5],
      ['float64', Float64Array, 0.1],
    ];
    for (const [dtype, array, value] of arrays) {
      const file = tmp.file();
      const v = MmapVector.open<DType>(file, { dtype });
      const zero = typeof value === 'bigint' ? 0n : 0;
      v.push(zero, zero);
      const view = v.view();
      expect(view, dtype).toBeInstanceOf(array);
      view[1] = value;
      expect(v.get(1), dtype).toBe(value);
      v.flush();
      const expected = new array(2);
      expected[1] = value;
      const expectedBytes = Buffer.from((expected as unknown as Uint8Array).buffer);
      expect(fs.readFileSync(file).equals(expectedBytes), dtype).toBe(true);
      v.close();
    }
  });

  it('view() again without a length change gives the same buffer; the first stays attached', () => {
    const v = MmapVector.open(tmp.file());
    v.push(1, 2);
    const a = v.view();
    const b = v.view();
    expect(b.buffer).toBe(a.buffer);
    v.set(0, 5);
    expect(a[0]).toBe(5);
    expect(b[0]).toBe(5);
    v.close();
  });

  it('an empty vector has an empty view, and a view after the first push has the element', () => {
    const v = MmapVector.open(tmp.file());
    const empty = v.view();
    expect(empty.length).toBe(0);
    v.push(3);
    const one = v.view();
    expect(Array.from(one)).toEqual([3]);
    v.close();
  });
});

describe('a view is detached, never dangling', () => {
  it('after pop', () => {
    const v = MmapVector.open(tmp.file());
    v.push(1, 2, 3);
    const view = v.view();
    expect(v.pop()).toBe(3);
    expectDetached(view);
    // Writing to a detached view is a no-op, not a crash.
    view[0] = 99;
    expectDetached(view);
    expect([...v]).toEqual([1, 2]);
    expect(Array.from(v.view())).toEqual([1, 2]);
    v.close();
  });

  it('after pop on an empty vector too', () => {
    const v = MmapVector.open(tmp.file());
    v.push(1);
    v.pop();
    const view = v.view();
    v.pop();
    expect(view.length).toBe(0);
    v.close();
  });

  it('after clear', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'uint16' });
    v.push(1, 2, 3);
    const view = v.view();
    expect(v.clear()).toBe(3);
    expectDetached(view);
    view[2] = 7;
    expectDetached(view);
    expect(v.length).toBe(0);
    v.push(4);
    expect(Array.from(v.view())).toEqual([4]);
    v.close();
  });

  it('after close and after Symbol.dispose', () => {
    const v = MmapVector.open(tmp.file());
    v.push(1, 2, 3);
    const view = v.view();
    v.close();
    expectDetached(view);
    view[0] = 5;
    expectDetached(view);

    const w = MmapVector.open(tmp.file(), { dtype: 'int64' });
    w.push(1n);
    const bigView = w.view();
    w[Symbol.dispose]();
    expectDetached(bigView);
  });

  it('after close in mode r', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.from(new Float64Array([1, 2]).buffer));
    const v = MmapVector.open(file, { mode: 'r' });
    const view = v.view();
    expect(Array.from(view)).toEqual([1, 2]);
    v.close();
    expectDetached(view);
  });

  it('after push, the old view keeps the old length until a new view() is taken', () => {
    const v = MmapVector.open(tmp.file());
    v.push(1, 2);
    const old = v.view();
    expect(v.push(3)).toBe(3);
    expect(old.length).toBe(2);
    expect(Array.from(old)).toEqual([1, 2]);
    // Still the file's pages: writes both ways are shared.
    old[0] = 10;
    v.set(1, 20);
    expect(Array.from(old)).toEqual([10, 20]);
    const current = v.view();
    expectDetached(old);
    expect(Array.from(current)).toEqual([10, 20, 3]);
    v.close();
  });

  it("after push, get() and iteration do not detach the caller's view", () => {
    const v = MmapVector.open(tmp.file());
    v.push(1, 2);
    const old = v.view();
    v.push(3);
    try {
      expect(v.get(0)).toBe(1);
      expect([...v]).toEqual([1, 2, 3]);
      expect(old.length).toBe(2);
    } finally {
      v.close();
    }
  });

  it('after pushArray and a new view() call, too', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'float32' });
    v.pushArray(new Float32Array([1]));
    const old = v.view();
    v.pushArray(new Float32Array([2, 3]));
    const current = v.view();
    expectDetached(old);
    expect(Array.from(current)).toEqual([1, 2, 3]);
    v.close();
  });
});

describe('mode r views are copy-on-write', () => {
  it('writing to the view never changes the file', () => {
    const file = tmp.file();
    const original = Buffer.from(new Float64Array([1, 2, 3]).buffer);
    fs.writeFileSync(file, original);
    const v = MmapVector.open(file, { mode: 'r' });
    const view = v.view();
    view[0] = 100;
    view.fill(7, 1);
    expect(Array.from(view)).toEqual([100, 7, 7]);
    v.flush();
    expect(fs.readFileSync(file).equals(original)).toBe(true);
    // Another handle reads the file, not this process's private copy.
    const other = MmapVector.open(file, { mode: 'r' });
    expect([...other]).toEqual([1, 2, 3]);
    other.close();
    v.close();
    expect(fs.readFileSync(file).equals(original)).toBe(true);
    const writer = MmapVector.open(file, { mode: 'r+' });
    expect([...writer]).toEqual([1, 2, 3]);
    writer.close();
  });

  it('the view survives a refused pop or clear', () => {
    const file = tmp.file();
    fs.writeFileSync(file, Buffer.from(new Int8Array([1, 2]).buffer));
    const v = MmapVector.open(file, { dtype: 'int8', mode: 'r' });
    const view = v.view();
    expect(() => v.pop()).toThrow('vector is read-only');
    expect(() => v.clear()).toThrow('vector is read-only');
    expect(Array.from(view)).toEqual([1, 2]);
    v.close();
  });
});

describe('garbage collection', () => {
  it.skipIf(gc === undefined)('dropping the vector while its view lives does not crash', async () => {
    const file = tmp.file();
    let view: Float64Array | undefined;
    (() => {
      const v = MmapVector.open(file);
      v.pushArray(new Float64Array([1, 2, 3]));
      view = v.view();
    })();
    await collectGarbage();
    const kept = view as Float64Array;
    // Either the vector is still alive (view intact) or its finalizer detached the view.
    expect([0, 3]).toContain(kept.length);
    if (kept.length === 3) expect(Array.from(kept)).toEqual([1, 2, 3]);
    if (kept.length === 0) {
      // Finalized: the handle is gone, and its lock with it.
      const again = MmapVector.open(file, { mode: 'r+' });
      expect([...again]).toEqual([1, 2, 3]);
      again.close();
    }
    kept[0] = 5;
    void kept[1];
  });

  it.skipIf(gc === undefined)('dropping the view while the vector lives does not crash', async () => {
    const v = MmapVector.open(tmp.file());
    v.push(1, 2);
    (() => {
      v.view()[0] = 10;
    })();
    await collectGarbage();
    expect(v.push(3)).toBe(3);
    expect(Array.from(v.view())).toEqual([10, 2, 3]);
    v.close();
  });

  it.skipIf(gc === undefined)('many vectors and views dropped without close do not crash', async () => {
    const files: string[] = [];
    for (let i = 0; i < 50; i++) {
      const file = tmp.file();
      files.push(file);
      (() => {
        const v = MmapVector.open(file, { dtype: i % 2 === 0 ? 'float64' : 'int64' });
        if (i % 2 === 0) v.push(i, i + 1);
        else v.push(BigInt(i));
        v.view();
        if (i % 3 === 0) v.pop();
        v.view();
      })();
      if (i % 10 === 0) await collectGarbage(2);
    }
    await collectGarbage();
    // Every file holds what was written.
    files.forEach((file, i) => {
      const expected = i % 2 === 0 ? (i % 3 === 0 ? 8 : 16) : i % 3 === 0 ? 0 : 8;
      expect(fs.statSync(file).size).toBe(expected);
    });
  });
});

describe('remaps', () => {
  it('an old view survives 200k single pushes (many remaps) with the right values until detached', () => {
    const file = tmp.file();
    const v = MmapVector.open(file);
    v.push(0.5, 1.5);
    const old = v.view();
    const total = 200_000; // 1.6 MB of float64, several times past the first mapping
    for (let i = 0; i < total; i++) {
      v.push(i);
      if (i % 4096 === 0) {
        expect(old.length).toBe(2);
        expect(old[0]).toBe(0.5);
        expect(old[1]).toBe(1.5);
      }
    }
    expect(v.length).toBe(total + 2);
    // After the remaps, the old view still maps the file's first pages: writes are shared.
    old[1] = -1;
    expect(Array.from(old)).toEqual([0.5, -1]);
    const current = v.view();
    expectDetached(old);
    expect(current.length).toBe(total + 2);
    expect(current[1]).toBe(-1);
    expect(current[2]).toBe(0);
    expect(current[total + 1]).toBe(total - 1);
    for (let i = 0; i < total; i += 9973) expect(current[i + 2]).toBe(i);
    v.flush();
    const onDisk = readFloat64s(file);
    expect(onDisk.length).toBe(total + 2);
    expect(onDisk[1]).toBe(-1);
    expect(onDisk[total + 1]).toBe(total - 1);
    v.close();
    expectDetached(current);
  });

  it('a view taken at each checkpoint detaches the previous one, which stays readable as empty', () => {
    const v = MmapVector.open(tmp.file(), { dtype: 'uint32' });
    const views: Uint32Array[] = [];
    let pushed = 0;
    for (const checkpoint of [1, 1_000, 16_384, 16_385, 50_000, 120_000]) {
      while (pushed < checkpoint) v.push(pushed++);
      const view = v.view();
      expect(view.length).toBe(checkpoint);
      expect(view[checkpoint - 1]).toBe(checkpoint - 1);
      views.forEach((earlier) => expectDetached(earlier));
      views.push(view);
    }
    // Reading every index of every view (detached ones are empty) never crashes. (Iterating
    // a detached typed array is a TypeError in JS itself, so index instead.)
    let sum = 0;
    for (const view of views) for (let i = 0; i < view.length; i++) sum += view[i] as number;
    expect(sum).toBe((119_999 * 120_000) / 2);
    v.close();
  });
});
