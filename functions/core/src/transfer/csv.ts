/**
 * CSV as RFC 4180 writes it, both ways, small enough to read in one sitting (no CSV library is among
 * the dependencies, and these ~80 lines are all the export and the Todoist import need).
 */

/** A record and the 1-based line of the file it starts on (a quoted field may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A file that is not CSV: where, and why. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads CSV: fields split by commas, records by CRLF, LF or CR; a field in double quotes may hold commas,
 * line breaks and doubled quotes (`""`). A byte-order mark is dropped (Excel writes one). Lenient where
 * RFC 4180 is strict and nothing is lost (a quote inside an unquoted field is kept as it is); a quoted
 * field that never closes, or text right after its closing quote, is a CsvSyntaxError naming the line.
 */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  /** Whether the current record has begun (a blank line is a record of one empty field too). */
  let started = false;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    started = false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '\r' && ch !== '\n') started = true;
    if (ch === '"' && field === '') {
      const start = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvSyntaxError(start, 'a quoted field is not closed');
        const q = text[i]!;
        if (q === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (q === '"') {
          i++;
          break;
        } else {
          if (q === '\n' || (q === '\r' && text[i + 1] !== '\n')) line++;
          field += q;
          i++;
        }
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n')
        throw new CsvSyntaxError(line, 'a quoted field must end at a comma or the end of the line');
      // An empty quoted field ("") must not read as the start of another quoted one.
      if (next === ',') {
        fields.push(field);
        field = '';
        i++;
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      i++;
    }
  }
  // The last record, unless the file ended with its line break.
  if (started) endRecord();
  return records;
}

/**
 * A cell that a spreadsheet would run as a formula (it starts with = + - @, or a tab or carriage return
 * that hides one) gets a leading apostrophe: OWASP's advice against CSV injection
 * (https://owasp.org/www-community/attacks/CSV_Injection). Excel and LibreOffice show the text as it was.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Rows as CSV text, CRLF after each (RFC 4180). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
