/**
 * Wall-clock maths in the user's IANA zone with only `Intl` (no tz database shipped to the browser).
 * A "wall" value is what a person types: `YYYY-MM-DD` and `HH:mm` in their zone.
 */

// Type only (erased): core's wall-clock module uses luxon, which stays out of the browser bundle.
import type { WallTime } from '@todo/core/wall-clock';

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(zone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(zone, f);
  }
  return f;
}

function wallAt(instant: number, zone: string): WallTime {
  const parts = partsIn(zone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone's offset from UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const w = wallAt(instant, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/**
 * The instant a wall-clock date and time in `zone` names. In the autumn overlap the earlier instant wins;
 * a time in the spring gap (02:30 that never happens) reads with the offset before the change, so it
 * lands just after the gap (03:30), as calendars do.
 */
export function wallToInstant(date: string, time: string, zone: string): Date {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  const [hh = 0, mm = 0] = (time || '00:00').split(':').map(Number);
  const asUtc = Date.UTC(y, m - 1, d, hh, mm);
  const before = asUtc - offsetAt(asUtc - DAY_MS, zone);
  const after = asUtc - offsetAt(asUtc + DAY_MS, zone);
  const names = (t: number) => {
    const w = wallAt(t, zone);
    return w.year === y && w.month === m && w.day === d && w.hour === hh && w.minute === mm;
  };
  const exact = [before, after].filter(names).sort((a, b) => a - b);
  return new Date(exact[0] ?? before);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `{ date: 'YYYY-MM-DD', time: 'HH:mm' }` of an instant, as seen in `zone`. */
export function instantToWall(iso: string | Date, zone: string): { date: string; time: string } {
  const w = wallAt(new Date(iso).getTime(), zone);
  return { date: `${w.year}-${pad(w.month)}-${pad(w.day)}`, time: `${pad(w.hour)}:${pad(w.minute)}` };
}

/** Today's date (`YYYY-MM-DD`) in `zone`. */
export function todayIn(zone: string, now = new Date()): string {
  return instantToWall(now, zone).date;
}

/** Adds whole days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Monday of the week containing `date`. */
export function startOfWeek(date: string): string {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

/** The instants bounding whole days `from`..`to` (inclusive) in `zone`. */
export function dayRange(from: string, to: string, zone: string): { from: string; to: string } {
  const start = wallToInstant(from, '00:00', zone);
  const end = new Date(wallToInstant(addDays(to, 1), '00:00', zone).getTime() - 1);
  return { from: start.toISOString(), to: end.toISOString() };
}

/** "Tuesday 14 May" for a calendar day `YYYY-MM-DD` (a day, not an instant: no zone to convert from). */
export function formatDay(date: string): string {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An agenda day's heading: "Today · Tuesday 14 May", "Tomorrow · …", or the day alone. */
export function dayHeading(date: string, today: string): string {
  const near = date === today ? 'Today' : date === addDays(today, 1) ? 'Tomorrow' : '';
  return near ? `${near} · ${formatDay(date)}` : formatDay(date);
}

/** "Tue 4 Mar, 09:00" in `zone` (the year only when it is not this year). */
export function formatDue(iso: string, zone: string, now = new Date()): string {
  const d = new Date(iso);
  const sameYear = instantToWall(d, zone).date.slice(0, 4) === instantToWall(now, zone).date.slice(0, 4);
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

/** "in 5 min", "3 h ago": for notification lists. */
export function relativeTime(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
