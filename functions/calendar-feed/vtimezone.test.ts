import ICAL from 'ical.js';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatCalendar } from './ics.ts';
import { vtimezone } from './vtimezone.ts';

const NOW = new Date('2026-12-02T12:00:00Z');

/** The zone as ical.js builds it from our VTIMEZONE text. */
function parsedZone(timeZone: string, earliestYear: number): ICAL.Timezone {
  const text = formatCalendar([
    { name: 'BEGIN', value: 'VCALENDAR' },
    { name: 'VERSION', value: '2.0' },
    { name: 'PRODID', value: '-//test//EN' },
    ...vtimezone(timeZone, earliestYear, NOW),
    { name: 'END', value: 'VCALENDAR' },
  ]);
  const component = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vtimezone')!;
  return new ICAL.Timezone(component);
}

/** Seconds east of UTC that ical.js gives noon local time on each sampled day, against the IANA database. */
function mismatches(timeZone: string, fromYear: number, toYear: number) {
  const zone = parsedZone(timeZone, fromYear);
  const iana = IANAZone.create(timeZone);
  const wrong: string[] = [];
  // Every 3rd day at noon: zones change at night, so noon carries the offset of its day.
  for (let t = Date.UTC(fromYear, 0, 1, 12); t < Date.UTC(toYear, 0, 1); t += 3 * 86_400_000) {
    const d = new Date(t);
    const local = new ICAL.Time(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: 12,
        minute: 0,
        second: 0,
        isDate: false,
      },
      zone,
    );
    const ours = local.utcOffset();
    const expected = Math.round(iana.offset(t - ours * 1000) * 60);
    if (ours !== expected) wrong.push(`${d.toISOString().slice(0, 10)}: ${ours} ≠ ${expected}`);
  }
  return wrong;
}

describe('VTIMEZONE from the IANA database, read back by ical.js', () => {
  it.each([
    'Europe/London',
    'America/New_York',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Asia/Jerusalem',
    'America/Santiago',
    'Europe/Dublin',
    'America/Sao_Paulo',
    'Africa/Casablanca',
    'Asia/Kolkata',
    'UTC',
  ])('%s: the right offset on every sampled day from the earliest task year to 2045', (zone) => {
    expect(mismatches(zone, 2019, 2045)).toEqual([]);
  });

  it('uses the rules of the past for past dates (the US changed its DST dates in 2007)', () => {
    expect(mismatches('America/New_York', 2005, 2009)).toEqual([]);
  });

  it('describes the years ahead with yearly RRULE observances (the current rule), not a list', () => {
    const lines = vtimezone('Europe/London', 2025, NOW);
    const rrules = lines.filter((l) => l.name === 'RRULE').map((l) => l.value);
    expect(rrules.sort()).toEqual(['FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU']);
    // Spring forward at 01:00 GMT, written in the offset before the change.
    const daylight = lines.findIndex((l) => l.value === 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU');
    expect(lines[daylight - 1]).toEqual({ name: 'DTSTART', value: '20270328T010000' });
    expect(
      vtimezone('America/New_York', 2025, NOW)
        .filter((l) => l.name === 'RRULE')
        .map((l) => l.value),
    ).toEqual(
      expect.arrayContaining(['FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'FREQ=YEARLY;BYMONTH=11;BYDAY=1SU']),
    );
    // Israel: the Friday before the last Sunday of March.
    expect(vtimezone('Asia/Jerusalem', 2025, NOW).map((l) => l.value)).toContain(
      'FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29',
    );
  });

  it('a zone without DST is one observance', () => {
    const lines = vtimezone('Asia/Kolkata', 2024, NOW);
    expect(lines.filter((l) => l.name === 'BEGIN').map((l) => l.value)).toEqual(['VTIMEZONE', 'STANDARD']);
    expect(lines.find((l) => l.name === 'TZOFFSETTO')?.value).toBe('+0530');
  });
});
