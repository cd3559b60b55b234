/**
 * One value grammar, as a table: each text and what every way in must make of it (the
 * printed text, or `null` for refused). test/redis/grammar.test.ts runs it through
 * `MMVEC.ADD` in a real server and through `parseValue` + `MmapVector.set`;
 * test/cli/grammar.test.ts through `mmvec import` and `mmvec export`. So all three accept,
 * refuse and print the same texts.
 */

import { type DType, DTYPES } from '../..';

/** A text and what every way in must make of it: the printed text, or `null` for refused. */
export type Case = [text: string, printed: string | null];

/** Texts every integer type reads alike. */
const INTEGER_CASES: Case[] = [
  ['5', '5'],
  ['0', '0'],
  ['-0', '0'],
  ['+5', null],
  ['05', null],
  ['00', null],
  ['-05', null],
  ['1e3', null],
  ['1E3', null],
  ['5.0', null],
  ['1.5', null],
  ['0x10', null],
  ['0b1', null],
  [' 5', null],
  ['5 ', null],
  ['1 2', null],
  ['', null],
  ['-', null],
  ['--5', null],
  ['abc', null],
  ['nan', null],
  ['inf', null],
  ['1' + '0'.repeat(40), null],
];

/** Each integer type's bounds: accepted, and one past them refused. */
function boundCases(dtype: DType): Case[] {
  const info = DTYPES.find((d) => d.name === dtype)!;
  const min = BigInt(info.min);
  const max = BigInt(info.max);
  return [
    [String(min), String(min)],
    [String(max), String(max)],
    [String(min - 1n), null],
    [String(max + 1n), null],
  ];
}

const FLOAT_CASES: Case[] = [
  ['1.5', '1.5'],
  ['+1.5', '1.5'],
  ['-2.25', '-2.25'],
  ['.5', '0.5'],
  ['5.', '5'],
  ['0.1', '0.1'],
  ['1e3', '1000'],
  ['1E3', '1000'],
  ['inf', 'inf'],
  ['-inf', '-inf'],
  ['+inf', 'inf'],
  ['Infinity', 'inf'],
  ['-INFINITY', '-inf'],
  ['nan', 'nan'],
  ['NaN', 'nan'],
  ['-0', '-0'],
  ['0', '0'],
  ['0x10', null],
  ['1e', null],
  ['1_000', null],
  [' 1', null],
  ['1 ', null],
  ['', null],
  ['abc', null],
];

const FLOAT64_CASES: Case[] = [
  ['1e21', '1e21'],
  ['1e15', '1000000000000000'],
  ['1e16', '1e16'],
  ['123456789012', '123456789012'],
  ['0.30000000000000004', '0.30000000000000004'],
  ['16777217', '16777217'],
  ['5e-324', '5e-324'],
  ['2e-324', '0'],
  ['1.7976931348623157e308', '1.7976931348623157e308'],
  ['1e400', null],
  ['-1e400', null],
];

const FLOAT32_CASES: Case[] = [
  ['1e21', '1e21'],
  ['0.1', '0.1'],
  ['16777217', '16777216'],
  ['1e-45', '1e-45'],
  ['1e-50', '0'],
  ['3.4028235e38', '3.4028235e38'],
  ['3.5e38', null],
  ['1e39', null],
  ['-1e39', null],
];

// float16, bfloat16 and float80 (issue 11): each text rounds once, to nearest-even, into
// the type; the printed text is the shortest that reads back to the same element.

const FLOAT16_CASES: Case[] = [
  ['65504', '65500'],
  ['65519', '65500'],
  ['65520', null],
  ['1e5', null],
  ['-1e5', null],
  ['2049', '2048'],
  ['2051', '2052'],
  ['6e-8', '6e-8'],
  ['1e-8', '0'],
];

const BFLOAT16_CASES: Case[] = [
  ['257', '256'],
  ['259', '260'],
  ['1e38', '1e38'],
  ['3.39e38', '3.39e38'],
  ['3.4e38', null],
  ['1e39', null],
  ['-1e39', null],
];

const FLOAT80_CASES: Case[] = [
  ['1e21', '1e21'],
  ['9007199254740993', '9007199254740993'],
  ['0.30000000000000004', '0.30000000000000004'],
  ['1e400', '1e400'],
  ['1.18973149535723176502e+4932', '1.189731495357231765e4932'],
  ['1e5000', null],
  ['-1e5000', null],
];

const FLOAT_CASES_OF: Partial<Record<DType, Case[]>> = {
  float32: FLOAT32_CASES,
  float16: FLOAT16_CASES,
  bfloat16: BFLOAT16_CASES,
  float80: FLOAT80_CASES,
};

export function casesFor(dtype: DType): Case[] {
  const info = DTYPES.find((d) => d.name === dtype)!;
  if (info.kind !== 'float') {
    const unsigned: Case[] =
      info.kind === 'uint'
        ? [
            ['-5', null],
            ['-1', null],
          ]
        : [['-5', '-5']];
    return [...INTEGER_CASES, ...unsigned, ...boundCases(dtype)];
  }
  return [...FLOAT_CASES, ...(FLOAT_CASES_OF[dtype] ?? FLOAT64_CASES)];
}

export const DTYPE_NAMES = DTYPES.map((d) => d.name);
