import { RRule } from 'rrule';
import {
  compareWallTime,
  fromFloating,
  instantOf,
  toFloating,
  type WallTime,
  wallTimeOf,
} from '../wall-clock.ts';
import { expandFloating, type WorkBudget, workBudget } from './expand.ts';
import { type ParsedRule, parseRule } from './rule.ts';

export interface OccurrenceOptions {
  /**
   * How many occurrences the series has had up to and including the anchor's (the anchor is number 1
   * when omitted). COUNT is compared with this: COUNT=3 allows numbers 1, 2 and 3.
   */
  countSoFar?: number;
  /**
   * The wall-clock time the anchor was meant to be, when it differs from what `anchorDueAt` shows:
   * a 02:30 that fell into a spring-forward gap became 03:30, and the next day must be 02:30 again.
   */
  anchorWallTime?: WallTime;
  /**
   * The request's work budget (rrule periods walked), shared by every expansion the request makes; a
   * fresh default one per call when omitted. When it runs out, the occurrences found so far are returned.
   */
  budget?: WorkBudget;
}

const YEAR_MS = 366 * 24 * 3_600_000;
/** rrule's own end (it walks no further than the year 9999). */
const END_OF_TIME = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));

/**
 * How far past the last occurrence to look for the next one before calling the series finished: at least
 * ten years (leap days are at most eight apart) and at least ten of the rule's INTERVALs of years.
 */
function horizonMs(rule: ParsedRule): number {
  const interval = rule.pattern.interval ?? 1;
  const yearly = rule.pattern.freq === RRule.YEARLY;
  return Math.max(10, yearly ? 10 * interval : 0) * YEAR_MS;
}

function beyondUntil(rule: ParsedRule, instant: Date, wall: WallTime): boolean {
  const until = rule.until;
  if (!until) return false;
  if (until.kind === 'instant') return instant.getTime() > until.at.getTime();
  if (until.kind === 'wall') return compareWallTime(wall, until.wall) > 0;
  return compareWallTime({ ...wall, hour: 0, minute: 0, second: 0 }, until.wall) > 0;
}

/** One occurrence: its instant and the wall-clock time it was meant to be (they differ in a DST gap). */
export interface Occurrence {
  at: Date;
  wall: WallTime;
}

/**
 * The occurrences strictly after `after`, at most `limit`, of the series whose occurrence
 * `countSoFar` is at `anchorDueAt`. The rule is expanded by rrule in floating wall-clock time from the
 * anchor's wall time, each wall time is mapped to an instant in `timeZone` (see `instantOf` for the
 * DST gap and overlap rule), and COUNT and UNTIL are applied here.
 */
export function occurrencesAfter(
  ruleText: string | ParsedRule,
  anchorDueAt: Date,
  timeZone: string,
  after: Date,
  limit: number,
  options: OccurrenceOptions = {},
): Occurrence[] {
  const rule = typeof ruleText === 'string' ? parseRule(ruleText) : ruleText;
  const countSoFar = options.countSoFar ?? 1;
  const remaining = rule.count === null ? limit : Math.min(limit, rule.count - countSoFar);
  if (remaining <= 0) return [];
  const anchorWall = options.anchorWallTime ?? wallTimeOf(anchorDueAt, timeZone);
  const afterWall = wallTimeOf(after, timeZone);
  // A wall time in an overlap can map to an instant just before `after`; start a little earlier in
  // wall time and filter on instants, so nothing is skipped and nothing repeats.
  let cursor = new Date(
    Math.max(toFloating(afterWall).getTime() - 3_600_000, toFloating(anchorWall).getTime() - 1000),
  );
  // rrule walks from DTSTART on every call, so each batch is re-anchored at the last occurrence found:
  // that occurrence keeps the rule's phase (its INTERVAL period) and the defaults rrule takes from DTSTART
  // (day of month, weekday, time of day), and the walk costs one horizon per batch instead of the whole
  // series so far (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29 × 50 walked ~4,000 years of days: 13 s). For an
  // HOURLY rule the phase is the hour modulo INTERVAL counted in floating wall time, where every day has
  // 24 hours, so any occurrence keeps it — across DST too (a 02:00 lost to the gap is still "02:00").
  let dtstart = toFloating(anchorWall);
  const budget = options.budget ?? workBudget();
  const found: Occurrence[] = [];
  let last = after.getTime();
  for (;;) {
    // One walk usually finds them all: it ends at the limit, or once a horizon passes without a match.
    const { dates: batch, exhausted } = expandFloating(
      rule.pattern,
      dtstart,
      cursor,
      END_OF_TIME,
      remaining - found.length + 2,
      budget,
      horizonMs(rule),
    );
    if (!batch.length) return found;
    for (const floating of batch) {
      const wall = fromFloating(floating);
      const instant = instantOf(wall, timeZone);
      if (beyondUntil(rule, instant, wall)) return found;
      // Two wall times in one spring-forward gap can land on the same instant: keep the first.
      if (instant.getTime() <= last) continue;
      found.push({ at: instant, wall });
      last = instant.getTime();
      if (found.length >= remaining) return found;
    }
    if (exhausted) return found;
    cursor = batch[batch.length - 1]!;
    dtstart = cursor;
  }
}

/** The next `n` occurrences after the anchor (which is occurrence `countSoFar`, 1 by default). */
export function upcomingOccurrences(
  rule: string | ParsedRule,
  anchorDueAt: Date,
  timeZone: string,
  n: number,
  options: OccurrenceOptions = {},
): Date[] {
  return occurrencesAfter(rule, anchorDueAt, timeZone, anchorDueAt, n, options).map((o) => o.at);
}
