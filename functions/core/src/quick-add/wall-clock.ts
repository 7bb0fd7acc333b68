import { DateTime } from 'luxon';

/** A local calendar date and time of day, with no zone: what a person means by "Friday 9:00". */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The wall clock of an instant in a zone. */
export function wallClockOf(instant: Date, zone: string): WallClock {
  const d = DateTime.fromJSDate(instant, { zone });
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute };
}

/**
 * The instant a wall-clock time means in a zone. A time that happens twice (the hour the clocks go back)
 * is the first of the two, as RFC 5545 says; a time that never happens (the hour the clocks go forward,
 * or 30 minutes on Lord Howe) is moved forward by the size of the gap, so 02:30 becomes 03:30.
 */
export function instantOf(wall: WallClock, zone: string): DateTime {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // Offsets a day and a half either side cover the true instant (UTC−12 … UTC+14) and any transition near it.
  const offsets = new Set(
    [-36, 0, 36].map((h) => DateTime.fromMillis(asUtc + h * 3_600_000, { zone }).offset),
  );
  const exact = [...offsets]
    .map((offset) => DateTime.fromMillis(asUtc - offset * 60_000, { zone }))
    .filter((d) => d.hour === wall.hour && d.minute === wall.minute && d.day === wall.day)
    .sort((a, b) => a.toMillis() - b.toMillis());
  return exact[0] ?? DateTime.fromObject(wall, { zone });
}

/** A wall clock as a "floating" Date whose UTC fields are the local fields (how the rrule library works). */
export const floating = (w: WallClock): Date =>
  new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute));

export const fromFloating = (d: Date): WallClock => ({
  year: d.getUTCFullYear(),
  month: d.getUTCMonth() + 1,
  day: d.getUTCDate(),
  hour: d.getUTCHours(),
  minute: d.getUTCMinutes(),
});

/** Adds whole days to a calendar date (no zone involved, so DST cannot shift it). */
export function addDays(w: WallClock, days: number): WallClock {
  const d = floating(w);
  d.setUTCDate(d.getUTCDate() + days);
  return { ...fromFloating(d), hour: w.hour, minute: w.minute };
}

/** 0 = Sunday … 6 = Saturday, for a calendar date. */
export const weekdayOf = (w: WallClock): number => floating(w).getUTCDay();

export const compareWall = (a: WallClock, b: WallClock): number =>
  floating(a).getTime() - floating(b).getTime();

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-09T09:00:00-04:00. */
export const isoInZone = (d: DateTime): string => d.toISO({ suppressMilliseconds: true }) ?? '';
