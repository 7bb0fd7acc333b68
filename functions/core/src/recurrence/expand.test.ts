import { RRule } from 'rrule';
import { describe, expect, it } from 'vitest';
import { coarsenDaily, expandFloating, workBudget } from './expand.ts';

const utc = (y: number, m: number, d: number, h = 0) => new Date(Date.UTC(y, m - 1, d, h));

describe('expandFloating', () => {
  it('returns the floating occurrences strictly between two wall times, up to a limit', () => {
    const got = expandFloating(
      { freq: RRule.DAILY },
      utc(2024, 3, 1, 9),
      utc(2024, 3, 1, 9),
      utc(2024, 3, 30),
      3,
    );
    expect(got).toEqual({
      dates: [utc(2024, 3, 2, 9), utc(2024, 3, 3, 9), utc(2024, 3, 4, 9)],
      stopped: false,
    });
  });

  it('stops rrule at the window end when a rule never matches again (rrule would walk to 9999)', () => {
    const never = { freq: RRule.DAILY, bymonth: [2], bymonthday: [30] };
    expect(expandFloating(never, utc(2024, 1, 1), utc(2024, 1, 1), utc(2034, 1, 1), 1)).toEqual({
      dates: [],
      stopped: true,
    });
    const offBeat = { freq: RRule.DAILY, interval: 7, byweekday: [RRule.MO] };
    expect(expandFloating(offBeat, utc(2024, 1, 2), utc(2024, 1, 2), utc(2034, 1, 1), 1).stopped).toBe(true);
  });

  it('charges every period it walks to the request’s budget, and stops when it is spent', () => {
    const budget = workBudget(100);
    const got = expandFloating(
      { freq: RRule.DAILY },
      utc(2024, 1, 1),
      utc(2024, 1, 1),
      utc(2030, 1, 1),
      1000,
      budget,
    );
    expect(got.exhausted).toBe(true);
    expect(got.dates.length).toBeLessThanOrEqual(100);
    expect(budget).toEqual({ periods: 0, spent: 100 });
  });
});

describe('coarsenDaily', () => {
  it('walks a filtered DAILY rule a year at a time only when that is exactly the same rule', () => {
    const feb29 = { freq: RRule.DAILY, bymonth: [2], bymonthday: [29] };
    expect(coarsenDaily(feb29).freq).toBe(RRule.YEARLY);
    // INTERVAL, BYSETPOS, an ordinal BYDAY or no day filter (YEARLY would take DTSTART's day) keep DAILY.
    expect(coarsenDaily({ ...feb29, interval: 2 }).freq).toBe(RRule.DAILY);
    expect(coarsenDaily({ ...feb29, bysetpos: [1] }).freq).toBe(RRule.DAILY);
    expect(coarsenDaily({ freq: RRule.DAILY, byweekday: [RRule.MO.nth(1)] }).freq).toBe(RRule.DAILY);
    expect(coarsenDaily({ freq: RRule.DAILY, bymonth: [2] }).freq).toBe(RRule.DAILY);
    expect(coarsenDaily({ freq: RRule.WEEKLY, byweekday: [RRule.MO] }).freq).toBe(RRule.WEEKLY);
  });
});
