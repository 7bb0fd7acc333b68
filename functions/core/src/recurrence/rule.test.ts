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

  it('accepts every frequency from HOURLY to YEARLY', () => {
    for (const freq of ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'])
      expect(ruleProblem(`FREQ=${freq}`)).toBeNull();
  });

  it('accepts the parts RFC 5545 allows with HOURLY', () => {
    for (const rule of [
      'FREQ=HOURLY;INTERVAL=2',
      'FREQ=HOURLY;BYHOUR=8,9,10,11,12,13,14,15,16,17,18,19,20;BYMINUTE=30',
      'FREQ=HOURLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYMONTH=1,2',
      'FREQ=HOURLY;BYMONTHDAY=1,-1;BYYEARDAY=100;BYWEEKNO=20;BYSECOND=0',
      'FREQ=HOURLY;BYMINUTE=0,30;BYSETPOS=-1;COUNT=12',
      'FREQ=HOURLY;INTERVAL=4;UNTIL=20240312T170000Z;WKST=SU',
    ])
      expect(ruleProblem(rule), rule).toBeNull();
  });

  it.each([
    ['BYDAY=MO', 'FREQ is required'],
    ['FREQ=MINUTELY;INTERVAL=30', 'more often than hourly are not supported'],
    ['FREQ=SECONDLY', 'more often than hourly are not supported'],
    ['FREQ=SOMETIMES', 'FREQ is required'],
    ['FREQ=HOURLY;INTERVAL=0', 'INTERVAL must be a positive integer'],
    ['FREQ=HOURLY;INTERVAL=two', 'INTERVAL must be a positive integer'],
    ['FREQ=HOURLY;BYHOUR=24', 'BYHOUR must be whole numbers from 0 to 23'],
    ['FREQ=DAILY;BYHOUR=9,noon', 'BYHOUR must be whole numbers from 0 to 23'],
    ['FREQ=HOURLY;BYMINUTE=60', 'BYMINUTE must be whole numbers from 0 to 59'],
    ['FREQ=HOURLY;BYSECOND=-1', 'BYSECOND must be whole numbers from 0 to 59'],
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
