/**
 * Which values a store into a vector's typed array writes exactly as the core would write
 * them. `MmapVector` writes those through its cached view of the mapping, at typed-array
 * speed, and hands every other value to the addon, which stores it or throws the exact
 * error. The rule is derived from the core's dtype table (kind and bounds), never written
 * out per dtype, and it leans towards the addon: a value it leaves out costs only a
 * native call, never a different outcome.
 */

import { type DType, type DTypeInfo, DTYPES } from './dtypes.js';

/** An element as JavaScript passes it: a number, or a bigint. */
export type Element = number | bigint;

export class StoreRule {
  /** Integer types (kinds `int` and `uint`) take whole values only. */
  readonly #integral: boolean;
  /** The typed array holds bigints: the table gives bigint bounds exactly for those types. */
  readonly #big: boolean;
  readonly #min: Element;
  readonly #max: Element;

  constructor(info: DTypeInfo) {
    this.#integral = info.kind !== 'float';
    this.#big = typeof info.min === 'bigint';
    this.#min = info.min;
    this.#max = info.max;
  }

  /**
   * What to put in the typed array for `value` when that stores the element the core
   * would store, else `undefined` (the core then judges `value`):
   * - integer types: a whole number or a bigint within the bounds (`-0` is `0`),
   *   converted to the typed array's own JS type;
   * - float types: a number within the finite bounds, which the typed array rounds to
   *   nearest (ties to even) as the core does; an infinity; NaN. A finite number past the
   *   bounds and any bigint are left to the core (it refuses or rounds the first, and
   *   stores the second only if it is exact).
   */
  element(value: Element): Element | undefined {
    if (typeof value === 'number') {
      if (!this.#integral) {
        return (value >= this.#min && value <= this.#max) || !Number.isFinite(value) ? value : undefined;
      }
      if (!Number.isInteger(value) || !(value >= this.#min && value <= this.#max)) return undefined;
      return this.#big ? BigInt(value) : value;
    }
    if (!this.#integral || !(value >= this.#min && value <= this.#max)) return undefined;
    return this.#big ? value : Number(value);
  }
}

const rules = new Map<DType, StoreRule>(DTYPES.map((info) => [info.name, new StoreRule(info)]));

/** The rule for `dtype`; `undefined` only for a name the table lacks (then every write goes to the addon). */
export function storeRuleFor(dtype: DType): StoreRule | undefined {
  return rules.get(dtype);
}
