import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvField, neutralizeFormula, parseCsv, toCsv } from './csv.ts';

describe('CSV (RFC 4180)', () => {
  it('quotes a field only when it holds a comma, a quote or a line break, doubling quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('one\ntwo')).toBe('"one\ntwo"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(
      toCsv([
        ['a', 'b,c'],
        ['', 'd'],
      ]),
    ).toBe('a,"b,c"\r\n,d\r\n');
  });

  it('neutralizes cells a spreadsheet would run as formulas (OWASP), and nothing else', () => {
    for (const cell of ['=1+1', '+1', '-2', '@SUM(A1)', '\t=1', '\r=1'])
      expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    for (const cell of ['', 'plain', '1-2', 'a=b', "'quoted"]) expect(neutralizeFormula(cell)).toBe(cell);
  });

  it('reads back what it writes, whatever the fields hold', () => {
    const rows = [
      ['h1', 'h2', 'h3'],
      ['a,b', 'x "y" z', 'line 1\r\nline 2\nline 3'],
      ['', '""', ','],
    ];
    expect(parseCsv(toCsv(rows)).map((r) => r.fields)).toEqual(rows);
  });

  it('numbers each record by the line it starts on, across quoted line breaks, CRLF, LF and CR', () => {
    const records = parseCsv('\uFEFFa,b\r\n"multi\nline",2\n\nx,y\rlast,"q"');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['multi\nline', '2'] },
      { line: 4, fields: [''] },
      { line: 5, fields: ['x', 'y'] },
      { line: 6, fields: ['last', 'q'] },
    ]);
  });

  it('keeps a stray quote inside an unquoted field, and an empty quoted field at the end of the file', () => {
    expect(parseCsv('5" disk,a""b\n""').map((r) => r.fields)).toEqual([['5" disk', 'a""b'], ['']]);
  });

  it('refuses a quoted field that never closes, or text after a closing quote, naming the line', () => {
    const error = (text: string) => {
      try {
        parseCsv(text);
      } catch (e) {
        return e instanceof CsvSyntaxError ? [e.line, e.message] : e;
      }
      return undefined;
    };
    expect(error('a,b\nc,"open\nstill open')).toEqual([2, 'a quoted field is not closed']);
    expect(error('a\n"x"y,z')).toEqual([2, 'a quoted field must end at a comma or the end of the line']);
  });
});
