import { type Options, RRule } from 'rrule';

const DAY_MS = 24 * 3_600_000;
/** Shortest length of one FREQ period, so the iteration count below is an upper bound. */
const PERIOD_MS: Record<number, number> = {
  [RRule.YEARLY]: 365 * DAY_MS,
  [RRule.MONTHLY]: 28 * DAY_MS,
  [RRule.WEEKLY]: 7 * DAY_MS,
  [RRule.DAILY]: DAY_MS,
};

class SearchBudgetSpent extends Error {}

export interface FloatingBatch {
  /** Floating wall times strictly after `from` and not after `to`, in order. */
  dates: Date[];
  /** True when rrule had to be stopped at `to` because nothing matched on the way. */
  stopped: boolean;
}

/**
 * rrule's `between(from, to)` and UNTIL only stop the iteration when a date MATCHES: a rule that never
 * matches again (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, or FREQ=DAILY;INTERVAL=7;BYDAY=MO from a Tuesday)
 * walks period by period to the year 9999 — 27–45 s of CPU for a daily rule. rrule's iterator reads
 * `options.interval` twice per period, so a proxy that counts those reads stops it once it has walked
 * past `to`. (rrule is pinned to 2.8.1; expand.test.ts checks the guard still engages.)
 */
export function expandFloating(
  pattern: Partial<Options>,
  dtstart: Date,
  from: Date,
  to: Date,
  limit: number,
): FloatingBatch {
  const rule = new RRule({ ...pattern, dtstart }, true);
  const period = PERIOD_MS[rule.options.freq] ?? DAY_MS;
  const periods = Math.ceil((to.getTime() - dtstart.getTime()) / (period * rule.options.interval)) + 2;
  let reads = 0;
  const budget = 2 * periods + 4;
  rule.options = new Proxy(rule.options, {
    get(target, key, receiver) {
      if (key === 'interval' && ++reads > budget) throw new SearchBudgetSpent();
      return Reflect.get(target, key, receiver);
    },
  });
  const dates: Date[] = [];
  try {
    rule.between(from, to, false, (d) => {
      dates.push(d);
      return dates.length < limit;
    });
    return { dates, stopped: false };
  } catch (e) {
    if (e instanceof SearchBudgetSpent) return { dates, stopped: true };
    throw e;
  }
}
