import { RRule } from 'rrule';
import { describe, expect, it } from 'vitest';
import { coarsenDaily, coarsenHourly, expandFloating, reachableHours, workBudget } from './expand.ts';

const utc = (y: number, m: number, d: number, h = 0, min = 0) => new Date(Date.UTC(y, m - 1, d, h, min));

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
    // Never HOURLY: a YEARLY rule would take one time a day from DTSTART instead of every hour.
    expect(coarsenDaily({ freq: RRule.HOURLY, bymonth: [2], bymonthday: [29] }).freq).toBe(RRule.HOURLY);
  });
});

describe('HOURLY', () => {
  const eight = utc(2024, 3, 1, 8);

  it('reachableHours: the hours INTERVAL steps can reach from DTSTART’s hour, within BYHOUR', () => {
    expect(reachableHours({ freq: RRule.HOURLY, interval: 3 }, eight)).toEqual([2, 5, 8, 11, 14, 17, 20, 23]);
    expect(reachableHours({ freq: RRule.HOURLY, interval: 2, byhour: [9, 10, 11] }, eight)).toEqual([10]);
    expect(reachableHours({ freq: RRule.HOURLY, interval: 2, byhour: 9 }, eight)).toEqual([]);
    // INTERVAL=5 drifts across days and reaches every hour; INTERVAL=48 only DTSTART's.
    expect(reachableHours({ freq: RRule.HOURLY, interval: 5, byhour: [9] }, eight)).toEqual([9]);
    expect(reachableHours({ freq: RRule.HOURLY, interval: 48, byhour: [8, 20] }, eight)).toEqual([8]);
  });

  it('coarsenHourly: a divisor-of-24 INTERVAL without BYSETPOS is the DAILY rule listing its hours', () => {
    const every6 = coarsenHourly({ freq: RRule.HOURLY, interval: 6, byweekday: [RRule.MO] }, eight);
    expect(every6).toEqual({ freq: RRule.DAILY, interval: 1, byhour: [2, 8, 14, 20], byweekday: [RRule.MO] });
    for (const kept of [
      { freq: RRule.HOURLY, interval: 5 },
      { freq: RRule.HOURLY, interval: 48 },
      { freq: RRule.HOURLY, byminute: [0, 30], bysetpos: [-1] },
    ])
      expect(coarsenHourly(kept, eight)).toBe(kept);
  });

  it('an unreachable BYHOUR returns nothing at once (rrule’s HOURLY step would loop forever)', () => {
    const started = performance.now();
    const got = expandFloating(
      { freq: RRule.HOURLY, interval: 2, byhour: [9] },
      eight,
      eight,
      utc(2034, 1, 1),
      5,
    );
    expect(got).toEqual({ dates: [], stopped: true });
    // Not coarsened (INTERVAL=5 does not divide 24) and still guarded: 5 and 24 are coprime, 9 is reachable.
    const drift = expandFloating(
      { freq: RRule.HOURLY, interval: 5, byhour: [9] },
      eight,
      eight,
      utc(2034, 1, 1),
      2,
    );
    expect(drift.dates).toEqual([utc(2024, 3, 2, 9), utc(2024, 3, 7, 9)]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('a BYSETPOS past the times of one period never matches and walks nothing', () => {
    const budget = workBudget();
    for (const pattern of [
      { freq: RRule.HOURLY, bysetpos: [2] },
      { freq: RRule.HOURLY, byminute: [0, 30], bysetpos: [3, -3] },
      { freq: RRule.DAILY, byhour: [8, 20], bysetpos: [3] },
    ])
      expect(expandFloating(pattern, eight, eight, utc(2034, 1, 1), 5, budget)).toEqual({
        dates: [],
        stopped: true,
      });
    expect(budget.spent).toBe(0);
    const last = expandFloating(
      { freq: RRule.HOURLY, byminute: [0, 30], bysetpos: [-1] },
      eight,
      eight,
      utc(2034, 1, 1),
      2,
    );
    expect(last.dates).toEqual([utc(2024, 3, 1, 8, 30), utc(2024, 3, 1, 9, 30)]);
  });

  it('walks an hourly rule by the day when it can: 50 occurrences of "every 2 hours" cost ~5 periods', () => {
    const budget = workBudget();
    const got = expandFloating(
      { freq: RRule.HOURLY, interval: 2 },
      eight,
      eight,
      utc(2034, 1, 1),
      50,
      budget,
    );
    expect(got.dates).toHaveLength(50);
    expect(got.dates.slice(0, 3)).toEqual([utc(2024, 3, 1, 10), utc(2024, 3, 1, 12), utc(2024, 3, 1, 14)]);
    expect(budget.spent).toBeLessThanOrEqual(6);
  });
});
