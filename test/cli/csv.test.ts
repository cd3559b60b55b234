/**
 * `mmvec import` of CSV/TSV as RFC 4180 has it (csv-parse): quoted fields over several
 * lines, CRLF, a BOM, custom delimiters, header or index columns; and every malformed
 * input with its exact message and the line it names.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useCli } from '../helpers/cli';

const { tmp, ok, fails, write, read } = useCli('mmvec-csv-');

/** The RFC 4180 shape: CRLF line ends, a header, quoted fields holding CRLF, commas and "". */
const RFC_4180 = [
  'id,note,value',
  '1,"first line',
  'second line",1.5',
  '2,"a ""quoted"" word, and a comma",2.5',
  '3,"x',
  'y',
  'z",3.5',
  '',
].join('\r\n');

describe('import: RFC 4180 CSV', () => {
  it('quoted fields over several lines (CRLF), with commas and doubled quotes inside', () => {
    write('w.csv', RFC_4180);
    expect(ok('import', 'w.csv', 'w.f64', '--dtype', 'f64', '--column', 'value')).toBe(
      'imported 3 float64 values from w.csv into w.f64\n',
    );
    expect(read('w.f64', 'float64')).toEqual([1.5, 2.5, 3.5]);
  });

  it('a bad value after multi-line records names the line its field starts on', () => {
    // Records start on lines 1, 2, 4, 5 and 8; the third field of line 8's record is on line 9.
    write('w.csv', `${RFC_4180}4,"p\r\nq",abc\r\n`);
    fails(
      1,
      ["mmvec: w.csv:9:3: 'abc' is not a valid float64 (not a number)"],
      'import',
      'w.csv',
      'w.f64',
      '--dtype',
      'f64',
      '--column',
      '3',
      '--header',
    );
    expect(fs.readdirSync(tmp.dir)).toEqual(['w.csv']);
  });

  it('a BOM before the header, and a header name', () => {
    write('bom.csv', '\ufeffname,value\r\nx,7\r\ny,8\r\n');
    ok('import', 'bom.csv', 'v.i32', '--dtype', 'i32', '--column', 'value');
    expect(read('v.i32', 'int32')).toEqual([7, 8]);
    ok('import', 'bom.csv', 'v.i32', '--dtype', 'i32', '--column', '2', '--header');
    expect(read('v.i32', 'int32')).toEqual([7, 8]);
  });

  it("--delimiter ';' with quoted delimiters, and tabs in a .tsv", () => {
    write('semi.txt', 'a;b\n"1;5";2\n"x\ny";4\n');
    ok('import', 'semi.txt', 's.u16', '--dtype', 'uint16', '--column', 'b', '--delimiter', ';');
    expect(read('s.u16', 'uint16')).toEqual([2, 4]);
    write('t.tsv', 'a\tb\n"1\t2"\t-3\n"tab\tand\nbreak"\t-4\n');
    ok('import', 't.tsv', 't.i8', '--dtype', 'i8', '--column', '2', '--header');
    expect(read('t.i8', 'int8')).toEqual([-3, -4]);
  });

  it('an index column by number, spaces around fields and quotes, rows with more fields', () => {
    write('i.csv', ' 10 , "20" ,30\n11,21\n12, " 22 ",32,42\n');
    ok('import', 'i.csv', 'i.u8', '--dtype', 'u8', '--column', '2');
    expect(read('i.u8', 'uint8')).toEqual([20, 21, 22]);
  });

  it('empty fields, quoted or not, are refused', () => {
    write('e.csv', 'a,b\n1,2\n3,""\n');
    fails(
      1,
      ["mmvec: e.csv:3:2: '' is not a valid int32 (empty)"],
      'import',
      'e.csv',
      'e.i32',
      '--dtype',
      'i32',
      '--column',
      'b',
    );
    write('e.csv', 'a,b,c\n1,,3\n');
    fails(
      1,
      ["mmvec: e.csv:2:2: '' is not a valid int32 (empty)"],
      'import',
      'e.csv',
      'e.i32',
      '--dtype',
      'i32',
      '--column',
      'b',
    );
  });

  it('a ragged row without the column names the line its record starts on', () => {
    write('r.csv', 'a,b,c\n1,2,3\n"4\n",5\n');
    fails(
      1,
      ['mmvec: r.csv:3: no column 3 (the line has 2 fields)'],
      'import',
      'r.csv',
      'r.f64',
      '--dtype',
      'f64',
      '--column',
      'c',
    );
  });
});

describe('import: malformed CSV', () => {
  const importOf = (file: string, ...options: string[]) => ['import', file, 'out.f64', '--dtype', 'f64', ...options];

  it('a file that ends inside a quote names the line where the record starts', () => {
    // Lines: 1 header, 2-3 a record, 4 blank, 5 the record whose quote never closes.
    write('q.csv', 'a,b\r\n"p\r\nq",1\r\n\r\n"r,2\r\n3,4\r\n');
    fails(
      1,
      ['mmvec: q.csv:5: unterminated quoted field (the file ends inside the quotes of the record that starts here)'],
      ...importOf('q.csv', '--column', '2', '--header'),
    );
    expect(fs.readdirSync(tmp.dir)).toEqual(['q.csv']);
  });

  it('text after a closing quote, right after it or past spaces', () => {
    write('c.csv', '1,2\n3,"4"x\n');
    fails(
      1,
      [
        'mmvec: c.csv:2: unexpected text after the closing quote of field 2 (write a quote inside a quoted field as "")',
      ],
      ...importOf('c.csv', '--column', '2'),
    );
    write('c.csv', '1,2\n"3" x,4\n');
    fails(
      1,
      [
        'mmvec: c.csv:2: unexpected text after the closing quote of field 1 (write a quote inside a quoted field as "")',
      ],
      ...importOf('c.csv', '--column', '2'),
    );
  });

  it('a quote inside an unquoted field', () => {
    write('o.csv', 'a,b,c\n1,2,3\n4,5"6,7\n');
    fails(
      1,
      ['mmvec: o.csv:3: a quote inside unquoted field 2 (quote the whole field, and write a quote inside it as "")'],
      ...importOf('o.csv', '--column', '3', '--header'),
    );
  });

  it('a record longer than 1 MiB stops the import (memory stays bounded when a quote is left open)', () => {
    write('long.csv', `1\n"${'2\n'.repeat(600_000)}`);
    fails(
      1,
      ['mmvec: long.csv:2: a record longer than 1048576 characters (is a quote left open?)'],
      ...importOf('long.csv'),
    );
  });

  it('multi-line records across 1 MiB read chunks keep exact line numbers', () => {
    const rows = 150_000;
    let text = 'id,value\n';
    for (let i = 0; i < rows; i++) text += `"${i}\nx",${i}\n`;
    write('big.csv', `${text}"end\nx",oops\n`);
    fails(
      1,
      [`mmvec: big.csv:${2 + 2 * rows + 1}:2: 'oops' is not a valid int32 (not an integer)`],
      'import',
      'big.csv',
      'big.i32',
      '--dtype',
      'i32',
      '--column',
      'value',
    );
    write('big.csv', text);
    ok('import', 'big.csv', 'big.i32', '--dtype', 'i32', '--column', 'value');
    const values = read('big.i32', 'int32');
    expect(values).toHaveLength(rows);
    expect(values[rows - 1]).toBe(rows - 1);
  });
});
