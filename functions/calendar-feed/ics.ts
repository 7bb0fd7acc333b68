import type { WallTime } from '@todo/core/wall-clock';
/**
 * The iCalendar (RFC 5545) text format: content lines, TEXT escaping, folding, date-time values.
 * Nothing here knows about tasks (feed.ts does); each function is one rule of §3.1–3.3.
 */

/** One content line before folding: `NAME;PARAM=value:VALUE`. */
export interface ContentLine {
  name: string;
  params?: Record<string, string>;
  value: string;
}

/** Control characters TEXT may not hold (§3.3.11 excludes CTLs but HTAB); line breaks are escaped before. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/**
 * TEXT values (§3.3.11): backslash, semicolon and comma escaped, every line break (CRLF, LF, CR) as `\n`.
 * Other control characters cannot be represented at all and are dropped, so one stray BEL in a title
 * cannot make the whole feed unparseable.
 */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(CONTROL, '');
}

/**
 * A parameter value (§3.2): quoted when it holds `:`, `;` or `,` (an IANA zone name never does). DQUOTE
 * cannot appear even quoted, and is dropped.
 */
function paramValue(value: string): string {
  const clean = value.replace(/"/g, '').replace(CONTROL, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

const encoder = new TextEncoder();
const octets = (s: string) => encoder.encode(s).length;

/** Lines are at most 75 octets, not counting the CRLF (§3.1). */
export const MAX_LINE_OCTETS = 75;

/**
 * Folds one content line (§3.1): at most 75 octets per line, each continuation starting with one space
 * (which counts toward its 75). The split is counted in UTF-8 octets, not characters, and falls only
 * between code points, never inside a multi-octet UTF-8 sequence (or between the halves of a UTF-16
 * surrogate pair): an emoji is 4 octets and moves to the next line whole.
 */
export function foldLine(line: string): string {
  if (octets(line) <= MAX_LINE_OCTETS) return line;
  const lines: string[] = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const n = octets(char);
    const limit = lines.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (size + n > limit) {
      lines.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += n;
  }
  lines.push(current);
  return lines.join('\r\n ');
}

export function formatLine({ name, params, value }: ContentLine): string {
  const paramText = Object.entries(params ?? {})
    .map(([k, v]) => `;${k}=${paramValue(v)}`)
    .join('');
  return foldLine(`${name}${paramText}:${value}`);
}

/** The whole object: folded lines, each ended by CRLF (§3.1), the last one too. */
export function formatCalendar(lines: ContentLine[]): string {
  return `${lines.map(formatLine).join('\r\n')}\r\n`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A UTC DATE-TIME (§3.3.5 form 2): `20240310T130000Z`. */
export function utcDateTime(at: Date): string {
  return (
    `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}Z`
  );
}

/** A local DATE-TIME (§3.3.5 forms 1 and 3) from wall-clock fields: `20240310T090000`. */
export function localDateTime(w: WallTime): string {
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** A UTC-OFFSET (§3.3.14) from seconds east of UTC: `+0100`, `-0430`, `-004430` with seconds. */
export function utcOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const hh = pad(Math.floor(abs / 3600));
  const mm = pad(Math.floor((abs % 3600) / 60));
  const ss = abs % 60;
  return `${sign}${hh}${mm}${ss ? pad(ss) : ''}`;
}
