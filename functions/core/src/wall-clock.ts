import { IANAZone } from 'luxon';

/**
 * Wall-clock time: what a clock on the wall in the task's time zone shows ("Friday 09:00", no zone).
 * Recurrence is expanded in wall-clock time (09:00 stays 09:00 across DST) and quick-add reads what a
 * person typed as wall-clock time; both map it to instants only here, with one rule for DST (`instantOf`).
 *
 * rrule works on "floating" dates: JS Dates whose UTC fields are read as local wall time. `toFloating`
 * and `fromFloating` convert between that encoding and `WallTime`.
 */
export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

function zoneOf(timeZone: string): IANAZone {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new RangeError(`unknown time zone ${timeZone}`);
  return zone;
}

export function toFloating(w: WallTime): Date {
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}

export function fromFloating(d: Date): WallTime {
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The wall-clock time an instant shows in `timeZone` (seconds kept, milliseconds dropped). */
export function wallTimeOf(instant: Date, timeZone: string): WallTime {
  const offsetMs = zoneOf(timeZone).offset(instant.getTime()) * MINUTE_MS;
  return fromFloating(new Date(Math.floor((instant.getTime() + offsetMs) / 1000) * 1000));
}

/**
 * The instant a wall-clock time denotes in `timeZone`, resolved as RFC 5545 §3.3.5 prescribes:
 * - a time that occurs twice (the fall-back overlap) is the FIRST of the two, i.e. still on the
 *   daylight offset: 01:30 on 2024-11-03 in New York is 01:30 EDT (05:30Z);
 * - a time that does not occur (the spring-forward gap) is read with the offset in force BEFORE the
 *   gap, which moves it forward by the gap's length: 02:30 on 2024-03-10 in New York is 03:30 EDT,
 *   02:15 on 2024-10-06 on Lord Howe Island (a 30-minute gap) is 02:45 +11:00.
 */
export function instantOf(wall: WallTime, timeZone: string): Date {
  const zone = zoneOf(timeZone);
  const floating = toFloating(wall).getTime();
  // Offsets a day either side cover any transition near this wall time (zones change at most once a day).
  const before = zone.offset(floating - DAY_MS) * MINUTE_MS;
  const after = zone.offset(floating + DAY_MS) * MINUTE_MS;
  const valid = [...new Set([before, after])]
    .map((offset) => floating - offset)
    .filter((t) => zone.offset(t) * MINUTE_MS === floating - t)
    .sort((a, b) => a - b);
  return new Date(valid[0] ?? floating - before);
}

/** `YYYY-MM-DDTHH:mm:ss`, the form stored beside a due date to remember the wall-clock time it meant. */
export function formatWallTime(w: WallTime): string {
  return toFloating(w).toISOString().slice(0, 19);
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

export function parseWallTime(s: string): WallTime | null {
  const m = WALL_TIME.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { year, month, day, hour, minute, second };
}

export function compareWallTime(a: WallTime, b: WallTime): number {
  return toFloating(a).getTime() - toFloating(b).getTime();
}

/** Adds whole days to a wall-clock time (no zone involved, so DST cannot shift it). */
export function addDays(w: WallTime, days: number): WallTime {
  const d = toFloating(w);
  d.setUTCDate(d.getUTCDate() + days);
  return { ...fromFloating(d), hour: w.hour, minute: w.minute, second: w.second };
}

/** 0 = Sunday … 6 = Saturday, for the calendar date of a wall-clock time. */
export const weekdayOf = (w: WallTime): number => toFloating(w).getUTCDay();

/** English month names, January first: `MONTH_NAMES[w.month - 1]`. */
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
