import { type Options, RRule, type Weekday } from 'rrule';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Shortest length of one FREQ period, so the iteration count below is an upper bound. */
const PERIOD_MS: Record<number, number> = {
  [RRule.YEARLY]: 365 * DAY_MS,
  [RRule.MONTHLY]: 28 * DAY_MS,
  [RRule.WEEKLY]: 7 * DAY_MS,
  [RRule.DAILY]: DAY_MS,
  [RRule.HOURLY]: HOUR_MS,
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
 * 20,000 periods is ~55 years of a daily rule (~2.3 years of an hourly one that cannot be walked a day at
 * a time, see `coarsenHourly`; a day the rule's dates rule out is one period either way), and ~0.05–0.2 s
 * of rrule’s CPU on this machine in the worst case; every real rule needs a few hundred (a re-anchored
 * expansion walks only from the last occurrence found, see occurrences.ts).
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

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const ALL_HOURS = Array.from({ length: 24 }, (_, h) => h);

/**
 * The hours of the day an HOURLY rule can reach from `dtstart`: stepping INTERVAL hours from DTSTART's
 * hour visits exactly the hours that are congruent to it modulo gcd(INTERVAL, 24) — on some day or
 * other — so a BYHOUR outside them never matches. rrule's HOURLY step (`DateTime.addHours`) then loops
 * forever looking for one, without reading INTERVAL, so the guard in `expandFloating` cannot stop it:
 * such a rule must not reach rrule (`FREQ=HOURLY;INTERVAL=2;BYHOUR=9` from 08:00).
 */
export function reachableHours(pattern: Partial<Options>, dtstart: Date): number[] {
  const step = gcd(pattern.interval ?? 1, 24);
  const phase = dtstart.getUTCHours() % step;
  const byhour = pattern.byhour;
  const hours = byhour === undefined || byhour === null ? ALL_HOURS : [byhour].flat();
  return [...new Set(hours)].filter((h) => h % step === phase).sort((a, b) => a - b);
}

/**
 * An HOURLY rule whose INTERVAL divides 24 reaches the same hours every day: those congruent to
 * DTSTART's hour modulo INTERVAL, within BYHOUR. Without BYSETPOS (which picks within one period, an
 * hour here and a day there) that is exactly the DAILY rule with those hours listed; both take the
 * minute and second from DTSTART when BYMINUTE/BYSECOND are absent, and neither keeps a BYDAY ordinal.
 * rrule then walks a day per period (and, through `coarsenDaily`, a year for a rule such as "every 2
 * hours on 29 February") instead of INTERVAL hours — the common "every 1/2/3/4/6/8/12 hours" costs
 * what a daily rule costs. Other INTERVALs drift across days (every 5 hours: 08, 13, 18, 23, 04, …)
 * and are walked hour by hour. Call with a rule whose `reachableHours` is not empty.
 */
export function coarsenHourly(pattern: Partial<Options>, dtstart: Date): Partial<Options> {
  const interval = pattern.interval ?? 1;
  if (pattern.freq !== RRule.HOURLY || 24 % interval !== 0 || notEmpty(pattern.bysetpos)) return pattern;
  return { ...pattern, freq: RRule.DAILY, interval: 1, byhour: reachableHours(pattern, dtstart) };
}

const sizeOf = (v: unknown) => (v === undefined || v === null ? 1 : [v].flat().length);

/**
 * True when BYSETPOS can pick nothing: a DAILY or HOURLY period holds one day, so rrule's BYSETPOS picks
 * among that period's times only (BYHOUR × BYMINUTE × BYSECOND of a day, BYMINUTE × BYSECOND of an
 * hour), and a position past their number matches no period ever (`FREQ=HOURLY;BYSETPOS=2`). Such a
 * rule would walk period after period until the work budget is spent — 20,000 hours for an hourly one.
 */
function setPosNeverMatches(pattern: Partial<Options>): boolean {
  const positions = [pattern.bysetpos ?? []].flat();
  if (!positions.length) return false;
  const times =
    pattern.freq === RRule.HOURLY
      ? sizeOf(pattern.byminute) * sizeOf(pattern.bysecond)
      : pattern.freq === RRule.DAILY
        ? sizeOf(pattern.byhour) * sizeOf(pattern.byminute) * sizeOf(pattern.bysecond)
        : Number.POSITIVE_INFINITY;
  return positions.every((p) => Math.abs(p) > times);
}

/** The rule rrule is given: the pattern, or an exact equivalent that walks fewer periods; null if it never matches. */
function walkedRule(pattern: Partial<Options>, dtstart: Date): Partial<Options> | null {
  if (setPosNeverMatches(pattern)) return null;
  if (pattern.freq !== RRule.HOURLY) return coarsenDaily(pattern);
  if (!reachableHours(pattern, dtstart).length) return null;
  return coarsenDaily(coarsenHourly(pattern, dtstart));
}

const DAY_FILTERS = ['bymonth', 'byweekno', 'byyearday', 'bymonthday', 'byweekday', 'byeaster'] as const;

/**
 * True when an HOURLY rule walked hour by hour cannot match in the window because no DATE in it passes
 * the rule's date filters. rrule spends one period on a day the filters rule out, but the stop bound
 * counts INTERVAL hours per period, so a rule whose dates never come (`FREQ=HOURLY;INTERVAL=5;
 * BYMONTH=2;BYMONTHDAY=30`) would walk ~17,500 days — 48 years — before the bound or the budget stopped
 * it. The same filters as a DAILY rule (walked a year at a time by `coarsenDaily`) answer in a few
 * periods; no date in the window means no hour in it (the converse need not hold, which is fine).
 */
function noDateWithin(
  pattern: Partial<Options>,
  dtstart: Date,
  from: Date,
  to: Date,
  budget: WorkBudget,
  gapMs: number | undefined,
): { none: boolean; exhausted?: boolean } {
  if (!DAY_FILTERS.some((k) => notEmpty(pattern[k]))) return { none: false };
  const dates: Partial<Options> = { freq: RRule.DAILY, byhour: [0], byminute: [0], bysecond: [0] };
  for (const k of [...DAY_FILTERS, 'wkst'] as const)
    if (pattern[k] !== undefined) Object.assign(dates, { [k]: pattern[k] });
  const dayOf = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  // From the last moment before `from`'s day, so that day itself counts.
  const probe = expandFloating(
    dates,
    dayOf(dtstart),
    new Date(dayOf(from).getTime() - 1),
    to,
    1,
    budget,
    gapMs,
  );
  return { none: probe.dates.length === 0, exhausted: probe.exhausted };
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
  const walked = walkedRule(pattern, dtstart);
  if (!walked) return { dates: [], stopped: true };
  if (walked.freq === RRule.HOURLY) {
    const dates = noDateWithin(walked, dtstart, from, to, budget, gapMs);
    if (dates.exhausted) return { dates: [], stopped: false, exhausted: true };
    if (dates.none) return { dates: [], stopped: true };
  }
  const rule = new RRule({ ...walked, dtstart }, true);
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
