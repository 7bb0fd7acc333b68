import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, formatCalendar, utcOffset } from './ics.ts';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
/** Unfolding (RFC 5545 §3.1): every CRLF followed by one space or tab is removed. */
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

describe('TEXT escaping (RFC 5545 §3.3.11)', () => {
  it('escapes backslash, semicolon, comma and every kind of line break; drops other control characters', () => {
    expect(escapeText('a\\b;c,d\r\ne\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
    expect(escapeText('bell\u0007 tab\t del\u007f')).toBe('bell tab\t del');
    // Colons need no escaping in a value.
    expect(escapeText('10:30 at "home"')).toBe('10:30 at "home"');
  });
});

describe('folding (RFC 5545 §3.1)', () => {
  it('leaves a line of 75 octets alone and folds one of 76', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('counts octets, not characters, and never splits a UTF-8 sequence (emoji, accents, CJK)', () => {
    const line = `SUMMARY:${'Réunion 🎉 会議, café; '.repeat(20)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(5);
    for (const [i, part] of parts.entries()) {
      expect(octets(part), `line ${i}`).toBeLessThanOrEqual(75);
      if (i > 0) expect(part.startsWith(' ')).toBe(true);
      // Each physical line is valid UTF-8 on its own: no lone surrogate, no replacement on a round trip.
      expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part);
      expect(part).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    expect(unfold(folded)).toBe(line);
  });

  it('fills each line to the octet limit when the next character fits, and moves it whole when it does not', () => {
    // 73 ASCII octets then a 4-octet emoji: 77 > 75, so the emoji starts the next line.
    const folded = foldLine(`${'a'.repeat(73)}😀b`);
    expect(folded).toBe(`${'a'.repeat(73)}\r\n 😀b`);
    // 71 + 4 = 75 fits exactly.
    expect(foldLine(`${'a'.repeat(71)}😀b`)).toBe(`${'a'.repeat(71)}😀\r\n b`);
  });

  it('ends every line with CRLF and ical.js reads the value back exactly', () => {
    const title = `Pay rent, water; gas \\ "power" ${'🏠'.repeat(30)}\nsecond line`;
    const text = formatCalendar([
      { name: 'BEGIN', value: 'VCALENDAR' },
      { name: 'VERSION', value: '2.0' },
      { name: 'PRODID', value: '-//test//EN' },
      { name: 'BEGIN', value: 'VEVENT' },
      { name: 'UID', value: 'x@test' },
      { name: 'DTSTAMP', value: '20240101T000000Z' },
      { name: 'DTSTART', value: '20240101T090000Z' },
      { name: 'SUMMARY', value: escapeText(title) },
      { name: 'END', value: 'VEVENT' },
      { name: 'END', value: 'VCALENDAR' },
    ]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const event = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('summary')).toBe(title);
  });
});

describe('UTC offsets (RFC 5545 §3.3.14)', () => {
  it('writes ±HHMM, seconds only when there are any, and never -0000', () => {
    expect(utcOffset(3600)).toBe('+0100');
    expect(utcOffset(-16200)).toBe('-0430');
    expect(utcOffset(20700)).toBe('+0545');
    expect(utcOffset(-2670)).toBe('-004430');
    expect(utcOffset(0)).toBe('+0000');
  });
});
