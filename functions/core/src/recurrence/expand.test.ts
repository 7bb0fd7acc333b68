import { RRule } from 'rrule';
import { describe, expect, it } from 'vitest';
import { expandFloating } from './expand.ts';

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
});
