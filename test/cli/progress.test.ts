/**
 * The CLI's progress bar, with a fake terminal and a fake clock: nothing before a second
 * has passed, at most one redraw per 100 ms, erased at the end, and never on a non-TTY.
 */

import { describe, expect, it } from 'vitest';
import { Progress, humanBytes } from '../../src/cli/progress';

function terminal(
  isTTY = true,
  columns = 80,
): { isTTY: boolean; columns: number; writes: string[]; write(text: string): void } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

describe('Progress', () => {
  it('appears only after the delay, redraws at most every 100 ms, and is erased by finish()', () => {
    const stream = terminal();
    let now = 0;
    const bar = new Progress('import', 1000, 'bytes', { stream, now: () => now });
    for (now = 0; now < 1000; now += 10) bar.update(now);
    expect(stream.writes).toEqual([]);
    expect(bar.visible).toBe(false);
    for (now = 1000; now < 1500; now += 10) bar.update(500);
    expect(stream.writes).toHaveLength(5); // at 1000, 1100, 1200, 1300, 1400
    expect(stream.writes[0]).toBe(`\rimport [${'#'.repeat(20)}${'.'.repeat(20)}]  50% 500 B/1000 B 500 B/s\x1b[K`);
    expect(bar.visible).toBe(true);
    bar.finish();
    expect(stream.writes.at(-1)).toBe('\r\x1b[K');
    bar.finish();
    expect(stream.writes).toHaveLength(6);
  });

  it('never writes to a stream that is not a TTY', () => {
    const stream = terminal(false);
    let now = 0;
    const bar = new Progress('export', 10, 'values', { stream, now: () => now });
    for (now = 0; now < 5000; now += 50) bar.update(now / 500);
    bar.finish();
    expect(stream.writes).toEqual([]);
  });

  it('a short operation never shows anything', () => {
    const stream = terminal();
    let now = 0;
    const bar = new Progress('info', 100, 'values', { stream, now: () => now });
    for (let done = 0; done <= 100; done++, now += 5) bar.update(done);
    bar.finish();
    expect(stream.writes).toEqual([]);
  });

  it('fits the terminal width', () => {
    const narrow = new Progress('info', 2_000_000_000, 'values', { stream: terminal(true, 40), now: () => 0 });
    const line = narrow.render(1_000_000_000, 2000);
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line).toContain('50%');
    const wide = new Progress('info', 2_000_000_000, 'values', { stream: terminal(true, 120), now: () => 0 });
    expect(wide.render(1_000_000_000, 2000)).toBe(`info [${'#'.repeat(20)}${'.'.repeat(20)}]  50% 1.00G/2.00G 500M/s`);
  });

  it('humanBytes', () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 ** 2, 8e9].map(humanBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.00 KiB',
      '1.50 KiB',
      '10.0 MiB',
      '7.45 GiB',
    ]);
  });
});
