import { fromFloating } from '@todo/core/wall-clock';
import { IANAZone } from 'luxon';
import { type ContentLine, localDateTime, utcOffset } from './ics.ts';

/**
 * VTIMEZONE components (RFC 5545 §3.6.5) from the IANA database this process has (Intl, through luxon).
 * RFC 5545 wants one for every TZID a calendar uses, and a subscriber maps our local times to instants
 * with it, so it must be right for every date the feed can produce:
 * - the zone's actual transitions, one observance each, from the year before the earliest date the feed
 *   shows up to the end of next year (the rules of the past differ: the US moved its dates in 2007);
 * - from next year on, the zone's current rule as yearly RRULE observances ("last Sunday of March at
 *   01:00"), found from the transitions of ten years and kept only if it reproduces every one of them;
 *   a recurring task goes on for ever, and so must its zone. A zone whose rule has no RRULE form lists
 *   its transitions explicitly for 30 more years instead.
 */

interface Transition {
  /** The instant of the change (ms). */
  at: number;
  /** Seconds east of UTC before and after. */
  from: number;
  to: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/**
 * The scan's step: zones change at most a few times a year and never twice within a week (the shortest
 * gap in today's database is Morocco's month without DST in Ramadan). Each offset costs ~60 µs (Intl),
 * so a day-by-day scan of 13 years would take ~0.3 s; weekly, then a binary search to the minute.
 */
const SCAN_STEP_MS = 7 * DAY_MS;
/** Years of future transitions an RRULE must reproduce exactly before we trust it. */
const VERIFY_YEARS = 10;
/** Years of explicit transitions after next year when the rule has no RRULE form. */
const FALLBACK_YEARS = 30;
/** The earliest year scanned: older dates take the offset in force then (the feed shows open tasks). */
const MIN_YEAR = 1970;

const offsetSeconds = (zone: IANAZone, at: number) => Math.round(zone.offset(at) * 60);

/** The first minute at which the offset is no longer the one at `lo` (it is at `hi`). */
function changeWithin(zone: IANAZone, lo: number, hi: number): number {
  const before = offsetSeconds(zone, lo);
  let a = Math.floor(lo / MINUTE_MS);
  let b = Math.ceil(hi / MINUTE_MS);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetSeconds(zone, mid * MINUTE_MS) === before) a = mid;
    else b = mid;
  }
  return b * MINUTE_MS;
}

function transitionsBetween(zone: IANAZone, from: number, to: number): Transition[] {
  const found: Transition[] = [];
  let t = from;
  let offset = offsetSeconds(zone, t);
  while (t < to) {
    const next = Math.min(t + SCAN_STEP_MS, to);
    const nextOffset = offsetSeconds(zone, next);
    if (nextOffset !== offset) {
      const at = changeWithin(zone, t, next);
      found.push({ at, from: offset, to: offsetSeconds(zone, at) });
    }
    t = next;
    offset = nextOffset;
  }
  return found;
}

const yearStart = (year: number) => Date.UTC(year, 0, 1);

/** The wall-clock time of the change in the offset before it (§3.6.5: DTSTART is in TZOFFSETFROM time). */
function onsetWall(t: Transition) {
  // The instant shifted by the old offset is the wall time, in rrule's "floating" encoding.
  const d = new Date(t.at + t.from * 1000);
  return { ...fromFloating(d), weekday: d.getUTCDay() };
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The yearly RRULE that picks these days (one per year, same month and weekday), in the forms tzdata's
 * rules take: the n-th weekday (`2SU`), the last one (`-1SU`), a fixed day (`BYMONTHDAY=21`), or the
 * weekday on or after a day (`FR` with `BYMONTHDAY=23,…,29`, Israel's "Friday before the last Sunday").
 */
function yearlyRule(days: ReturnType<typeof onsetWall>[]): string | null {
  const first = days[0]!;
  if (!days.every((d) => d.month === first.month)) return null;
  const base = `FREQ=YEARLY;BYMONTH=${first.month}`;
  if (days.every((d) => d.day === first.day)) return `${base};BYMONTHDAY=${first.day}`;
  if (!days.every((d) => d.weekday === first.weekday)) return null;
  const wd = WEEKDAYS[first.weekday]!;
  const nth = Math.ceil(first.day / 7);
  if (nth <= 4 && days.every((d) => Math.ceil(d.day / 7) === nth)) return `${base};BYDAY=${nth}${wd}`;
  if (days.every((d) => d.day > daysInMonth(d.year, d.month) - 7)) return `${base};BYDAY=-1${wd}`;
  const min = Math.min(...days.map((d) => d.day));
  if (days.every((d) => d.day < min + 7 && min + 6 <= daysInMonth(d.year, d.month))) {
    const monthDays = Array.from({ length: 7 }, (_, i) => min + i).join(',');
    return `${base};BYDAY=${wd};BYMONTHDAY=${monthDays}`;
  }
  return null;
}

interface RuleObservance {
  first: Transition;
  rrule: string;
}

/**
 * The zone's current rule as yearly observances, when the transitions of the verified years are exactly
 * one per year per kind (same offsets, month, wall time) and each kind has an RRULE form.
 */
function currentRule(transitions: Transition[], years: number): RuleObservance[] | null {
  const kinds = new Map<string, Transition[]>();
  for (const t of transitions) {
    const w = onsetWall(t);
    const key = `${t.from}/${t.to}/${w.month}/${w.hour}:${w.minute}:${w.second}`;
    kinds.set(key, [...(kinds.get(key) ?? []), t]);
  }
  const rules: RuleObservance[] = [];
  for (const list of kinds.values()) {
    const walls = list.map(onsetWall);
    if (new Set(walls.map((w) => w.year)).size !== years || list.length !== years) return null;
    const rrule = yearlyRule(walls);
    if (!rrule) return null;
    rules.push({ first: list[0]!, rrule });
  }
  return rules;
}

function observance(t: Transition, rrule?: string): ContentLine[] {
  const kind = t.to > t.from ? 'DAYLIGHT' : 'STANDARD';
  return [
    { name: 'BEGIN', value: kind },
    { name: 'DTSTART', value: localDateTime(onsetWall(t)) },
    ...(rrule ? [{ name: 'RRULE', value: rrule }] : []),
    { name: 'TZOFFSETFROM', value: utcOffset(t.from) },
    { name: 'TZOFFSETTO', value: utcOffset(t.to) },
    { name: 'END', value: kind },
  ];
}

const cache = new Map<string, ContentLine[]>();

/**
 * The VTIMEZONE for `timeZone`, correct from the start of `earliestYear - 1` on (clamped to 1970 … this
 * year) and, through its RRULE observances, for every later year. Cached per zone and years: the scan
 * costs tens of milliseconds and a zone's rules do not change while the process runs.
 */
export function vtimezone(timeZone: string, earliestYear: number, now: Date = new Date()): ContentLine[] {
  const thisYear = now.getUTCFullYear();
  const firstYear = Math.min(Math.max(earliestYear, MIN_YEAR), thisYear) - 1;
  const key = `${timeZone}|${firstYear}|${thisYear}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new RangeError(`unknown time zone ${timeZone}`);
  const tailYear = thisYear + 1;
  const explicit = transitionsBetween(zone, yearStart(firstYear), yearStart(tailYear));
  const ahead = transitionsBetween(zone, yearStart(tailYear), yearStart(tailYear + VERIFY_YEARS));
  const rules = ahead.length ? currentRule(ahead, VERIFY_YEARS) : [];
  const listed = rules
    ? explicit
    : [
        ...explicit,
        ...transitionsBetween(zone, yearStart(tailYear), yearStart(tailYear + VERIFY_YEARS + FALLBACK_YEARS)),
      ];
  // The offset in force at the start of the window, as an observance that changes nothing: every date
  // the feed shows is after it, and before the first transition it is the one that applies.
  const startAt = yearStart(firstYear);
  const startOffset = offsetSeconds(zone, startAt);
  const next = listed[0] ?? rules?.[0]?.first;
  const initial: Transition = { at: startAt, from: startOffset, to: startOffset };
  const initialLines = observance(initial).map((line) =>
    // With no change to go by, it is daylight time when the next change lowers the offset.
    line.name === 'BEGIN' || line.name === 'END'
      ? { ...line, value: next && next.to < next.from ? 'DAYLIGHT' : 'STANDARD' }
      : line,
  );
  const lines: ContentLine[] = [
    { name: 'BEGIN', value: 'VTIMEZONE' },
    { name: 'TZID', value: timeZone },
    ...initialLines,
    ...listed.flatMap((t) => observance(t)),
    ...(rules ?? []).flatMap((r) => observance(r.first, r.rrule)),
    { name: 'END', value: 'VTIMEZONE' },
  ];
  cache.set(key, lines);
  return lines;
}
