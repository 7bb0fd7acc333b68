import { DateTime } from 'luxon';
import { type WallTime, wallTimeOf } from '../wall-clock.ts';

/**
 * The wall clock of an instant in a zone, to the minute: quick-add reads and compares times of day in
 * whole minutes ("at 9" typed at 09:00:30 is not yet overdue, and "now" must not carry stray seconds
 * into a repeat's first occurrence).
 */
export function wallClockOf(instant: Date, zone: string): WallTime {
  return { ...wallTimeOf(instant, zone), second: 0 };
}

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-09T09:00:00-04:00 (quick-add's `due_at`). */
export const isoInZone = (instant: Date, zone: string): string =>
  DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true }) ?? '';
