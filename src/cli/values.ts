/**
 * Values as text and between types, for the command line. The grammar and the text are
 * the core's (through the addon), so `mmvec import` accepts and `mmvec export` prints
 * exactly what the Redis module's commands do; this file only words the refusals.
 */

import { formatValue as format, parseValue } from '../dtypes.js';
import type { CodedError } from '../errors.js';
import type { TypeInfo } from './types.js';

/** A value the target type cannot hold; `reason` is short ("not an integer", "out of range"). */
export class BadValue extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** `'text' is not a valid int32 (reason)`, with very long text shortened. */
export function badValueMessage(text: string, type: TypeInfo, reason: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `'${shown}' is not a valid ${type.name} (${reason})`;
}

/** Runs `work`; the core's refusal of a value becomes a `BadValue` with its reason. */
function refusing<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const { code, reason } = error as CodedError & { reason?: string };
    if (code === 'ERR_MMVEC_BAD_VALUE' && reason !== undefined) throw new BadValue(reason);
    throw error;
  }
}

/** Parses one field (already trimmed) as a value of `type`; an empty field is refused
 * as such. Throws `BadValue`. */
export function parseText(text: string, type: TypeInfo): number | bigint | Buffer {
  if (text === '') throw new BadValue('empty');
  return refusing(() => parseValue(type.name, text));
}

/** The text of `value` as a value of `type`, which parses back to the same value. */
export function formatValue(value: number | bigint, type: TypeInfo): string {
  return format(type.name, value);
}
