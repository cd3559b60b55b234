/**
 * A one-line progress bar on stderr, for long operations. It appears only when the
 * stream is a terminal and the operation has run for a second; it is redrawn at most
 * ten times a second and erased when the operation ends, so pipes and logs never see it.
 *
 * Kept rather than cli-progress: that library redraws from its own timer and reads
 * Date.now() itself (tests would need fake timers), has no "appear after a second"
 * option (the delay would stay here anyway), and brings string-width and its
 * dependencies for what is one line of ASCII.
 */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Where to draw (default `process.stderr`). Nothing is drawn unless `isTTY` is true. */
  stream?: ProgressStream;
  /** Milliseconds clock (default `Date.now`). */
  now?: () => number;
  /** How long an operation runs before the bar appears (default 1000 ms). */
  delayMs?: number;
  /** The least time between two redraws (default 100 ms). */
  intervalMs?: number;
}

export type ProgressUnit = 'bytes' | 'values';

export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #unit: ProgressUnit;
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #delayMs: number;
  readonly #intervalMs: number;
  readonly #enabled: boolean;
  readonly #start: number;
  #lastDraw = -Infinity;
  #drawn = false;

  constructor(label: string, total: number, unit: ProgressUnit, options: ProgressOptions = {}) {
    this.#label = label;
    this.#total = total;
    this.#unit = unit;
    this.#stream = options.stream ?? process.stderr;
    this.#now = options.now ?? Date.now;
    this.#delayMs = options.delayMs ?? 1000;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#enabled = this.#stream.isTTY === true;
    this.#start = this.#enabled ? this.#now() : 0;
  }

  /** Whether anything is on the terminal now. */
  get visible(): boolean {
    return this.#drawn;
  }

  /** Reports `done` units out of the total; cheap enough to call for every chunk. */
  update(done: number): void {
    if (!this.#enabled) return;
    const now = this.#now();
    if (now - this.#start < this.#delayMs || now - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#stream.write(`\r${this.render(done, now - this.#start)}\x1b[K`);
  }

  /** Erases the bar, if it was drawn. Call it when the operation ends, however it ends. */
  finish(): void {
    if (!this.#drawn) return;
    this.#drawn = false;
    this.#stream.write('\r\x1b[K');
  }

  /** The bar's text for `done` units after `elapsedMs`, fitted to the terminal's width. */
  render(done: number, elapsedMs: number): string {
    const width = Math.max(20, (this.#stream.columns || 80) - 1);
    const fraction = this.#total > 0 ? Math.min(1, Math.max(0, done / this.#total)) : 1;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const amount = `${this.#amount(done)}/${this.#amount(this.#total)}`;
    const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
    const speed = `${this.#amount(rate)}/s`;
    const tail = ` ${percent} ${amount} ${speed}`;
    const barWidth = Math.min(40, width - this.#label.length - tail.length - 3);
    if (barWidth < 5) return `${this.#label}${percent}`.slice(0, width);
    const filled = Math.round(fraction * barWidth);
    return `${this.#label} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`.slice(0, width);
  }

  #amount(n: number): string {
    return this.#unit === 'bytes' ? humanBytes(n) : humanCount(n);
  }
}

/** `512 B`, `1.5 KiB`, `7.45 GiB`. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0
    ? `${Math.round(value)} B`
    : `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${units[unit]}`;
}

/** `950`, `12.3k`, `4.56M`, `1.00G`. */
function humanCount(count: number): string {
  const units = ['', 'k', 'M', 'G', 'T'];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0
    ? String(Math.round(value))
    : `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)}${units[unit]}`;
}
