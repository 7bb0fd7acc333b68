import { type Options, RRule, type Weekday } from 'rrule';

const DAY_MS = 24 * 3_600_000;
/** Shortest length of one FREQ period, so the iteration count below is an upper bound. */
const PERIOD_MS: Record<number, number> = {
  [RRule.YEARLY]: 365 * DAY_MS,
  [RRule.MONTHLY]: 28 * DAY_MS,
  [RRule.WEEKLY]: 7 * DAY_MS,
  [RRule.DAILY]: DAY_MS,
};

/**
 * The rrule periods (days of a DAILY rule, years of a YEARLY one …) one request may walk in total,
 * across every expansion it makes. Shared by reference: create one per request and pass it down.
 */
export interface WorkBudget {
  /** Periods left. */
  periods: number;
  /** Periods walked so far (for tests and logs). */
  spent: number;
}

/**
 * 20,000 periods is ~55 years of a daily rule, and ~0.05–0.2 s of rrule’s CPU on this machine in the
 * worst case; every real rule needs a few hundred (a re-anchored expansion walks only from the last
 * occurrence found, see occurrences.ts).
 */
export const DEFAULT_WORK_PERIODS = 20_000;

export const workBudget = (periods = DEFAULT_WORK_PERIODS): WorkBudget => ({ periods, spent: 0 });

class SearchBudgetSpent extends Error {}

export interface FloatingBatch {
  /** Floating wall times strictly after `from` and not after `to`, in order. */
  dates: Date[];
  /** True when rrule had to be stopped at `to` (or after `gapMs` without a match) because nothing matched. */
  stopped: boolean;
  /** True when the request's work budget ran out before `to` or `limit` was reached. */
  exhausted?: boolean;
}

const hasN = (w: unknown) => typeof w === 'object' && w !== null && Boolean((w as Weekday).n);
const notEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null);

/**
 * A DAILY rule with INTERVAL=1 and no BYSETPOS selects exactly the days of each year its BY* filters
 * allow, which is what the same rule as YEARLY selects — but rrule walks a YEARLY rule a year at a time
 * instead of a day at a time (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29 is 1 match in 1,461 days). The swap is
 * exact only when rrule adds no YEARLY defaults from DTSTART (it does unless BYWEEKNO, BYYEARDAY,
 * BYMONTHDAY or BYDAY is given) and when BYDAY has no ordinal (1MO means "first Monday of the year" in
 * a YEARLY rule and is ignored by a DAILY one).
 */
export function coarsenDaily(pattern: Partial<Options>): Partial<Options> {
  if (pattern.freq !== RRule.DAILY || (pattern.interval ?? 1) !== 1 || notEmpty(pattern.bysetpos))
    return pattern;
  const weekdays = pattern.byweekday;
  if ([weekdays].flat().some(hasN)) return pattern;
  const noDefaults =
    notEmpty(pattern.byweekno) ||
    notEmpty(pattern.byyearday) ||
    notEmpty(pattern.bymonthday) ||
    notEmpty(weekdays);
  if (!noDefaults || notEmpty(pattern.byeaster)) return pattern;
  return { ...pattern, freq: RRule.YEARLY };
}

/**
 * rrule's `between(from, to)` and UNTIL only stop the iteration when a date MATCHES: a rule that never
 * matches again (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, or FREQ=DAILY;INTERVAL=7;BYDAY=MO from a Tuesday)
 * walks period by period to the year 9999 — 27–45 s of CPU for a daily rule. rrule's iterator reads
 * `options.interval` twice per period, so a getter that counts those reads stops it once it has walked
 * past `to`, or once the request's `budget` is spent. (rrule is pinned to 2.8.1; expand.test.ts checks
 * the guard still engages.) rrule walks from `dtstart`, so callers re-anchor `dtstart` at the last
 * occurrence they found rather than walking from the series' first one every time.
 */
export function expandFloating(
  pattern: Partial<Options>,
  dtstart: Date,
  from: Date,
  to: Date,
  limit: number,
  budget: WorkBudget = workBudget(),
  /** Also give up once this long (floating ms) has passed since the last match: the series has ended. */
  gapMs?: number,
): FloatingBatch {
  const rule = new RRule({ ...coarsenDaily(pattern), dtstart }, true);
  const period = PERIOD_MS[rule.options.freq] ?? DAY_MS;
  const interval = rule.options.interval;
  const periodsUntil = (at: Date) => Math.ceil((at.getTime() - dtstart.getTime()) / (period * interval));
  const periods = periodsUntil(to) + 2;
  // With a gap: from DTSTART to `from` (nothing is reported before it), then `gapPeriods` past each match.
  const gapPeriods = gapMs === undefined ? undefined : Math.ceil(gapMs / (period * interval)) + 2;
  const firstStretch =
    gapPeriods === undefined ? periods : Math.min(periods, gapPeriods + Math.max(0, periodsUntil(from)));
  let reads = 0;
  let bound = 2 * firstStretch + 4;
  let exhausted = false;
  // A getter on the one key (not a Proxy over the whole options object, which rrule reads dozens of
  // times per period: a Proxy made the walk 3–10× slower).
  Object.defineProperty(rule.options, 'interval', {
    configurable: true,
    enumerable: true,
    get() {
      if (++reads > bound) throw new SearchBudgetSpent();
      if (reads % 2 === 0) {
        if (budget.periods <= 0) {
          exhausted = true;
          throw new SearchBudgetSpent();
        }
        budget.periods--;
        budget.spent++;
      }
      return interval;
    },
  });
  const dates: Date[] = [];
  try {
    rule.between(from, to, false, (d) => {
      dates.push(d);
      if (gapPeriods !== undefined) bound = reads + 2 * gapPeriods + 4;
      return dates.length < limit;
    });
    return { dates, stopped: false };
  } catch (e) {
    if (e instanceof SearchBudgetSpent)
      return exhausted ? { dates, stopped: false, exhausted } : { dates, stopped: true };
    throw e;
  }
}
