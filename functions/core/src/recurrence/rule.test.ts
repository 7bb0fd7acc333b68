import { describe, expect, it } from 'vitest';
import { parseRule, ruleProblem } from './rule.ts';

describe('parseRule', () => {
  it('splits off COUNT and UNTIL and keeps which UNTIL form was given', () => {
    expect(parseRule('RRULE:FREQ=DAILY;COUNT=3')).toMatchObject({ count: 3, until: null });
    expect(parseRule('FREQ=DAILY;UNTIL=20240312').until).toMatchObject({ kind: 'date' });
    expect(parseRule('FREQ=DAILY;UNTIL=20240312T090000').until).toMatchObject({ kind: 'wall' });
    expect(parseRule('FREQ=DAILY;UNTIL=20240312T090000Z').until).toEqual({
      kind: 'instant',
      at: new Date('2024-03-12T09:00:00Z'),
    });
  });

  it('accepts every frequency from DAILY to YEARLY', () => {
    for (const freq of ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'])
      expect(ruleProblem(`FREQ=${freq}`)).toBeNull();
  });

  it.each([
    ['BYDAY=MO', 'FREQ is required'],
    ['FREQ=HOURLY', 'FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY'],
    ['FREQ=DAILY;COUNT=0', 'COUNT must be a positive integer'],
    ['FREQ=DAILY;INTERVAL=0', 'INTERVAL must be a positive integer'],
    ['FREQ=DAILY;COUNT=2;UNTIL=20240101', 'COUNT and UNTIL cannot both be given'],
    ['FREQ=DAILY;UNTIL=20240231', 'is not a real date'],
    ['FREQ=DAILY;UNTIL=tomorrow', 'Invalid UNTIL value'],
    ['FREQ=DAILY;FOO=1', 'FOO'],
    ['DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY', 'give the rule only'],
  ])('rejects %s', (rule, message) => {
    expect(ruleProblem(rule)).toContain(message);
  });
});
