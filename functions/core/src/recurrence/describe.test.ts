import { RRule } from 'rrule';
import { describe, expect, it } from 'vitest';
import { describeRule } from './describe.ts';

const at = new Date('2024-01-31T08:45-05:00'); // a Wednesday
const text = (rule: string, anchor = at, zone = 'America/New_York') => describeRule(rule, anchor, zone);

describe('describeRule', () => {
  it.each([
    ['FREQ=DAILY', 'every day at 08:45'],
    ['FREQ=DAILY;INTERVAL=3', 'every 3 days at 08:45'],
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'every weekday at 08:45'],
    ['FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR', 'every weekday at 08:45'],
    ['FREQ=WEEKLY', 'every week on Wednesday at 08:45'],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH', 'every 2 weeks on Tuesday and Thursday at 08:45'],
    ['FREQ=MONTHLY', 'every month on the 31st at 08:45'],
    ['FREQ=MONTHLY;BYMONTHDAY=-1', 'every month on the last day at 08:45'],
    ['FREQ=MONTHLY;BYMONTHDAY=1,15', 'every month on the 1st and the 15th at 08:45'],
    ['FREQ=MONTHLY;BYDAY=2TU', 'every month on the second Tuesday at 08:45'],
    ['FREQ=MONTHLY;BYDAY=-1FR', 'every month on the last Friday at 08:45'],
    ['FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', 'every month on the last weekday at 08:45'],
    ['FREQ=YEARLY', 'every year on January 31 at 08:45'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', 'every year in February on the last day at 08:45'],
    ['FREQ=DAILY;COUNT=3', 'every day at 08:45, 3 times'],
    ['FREQ=DAILY;UNTIL=20240312', 'every day at 08:45, until March 12, 2024'],
    ['FREQ=DAILY;UNTIL=20240312T170000Z', 'every day at 08:45, until March 12, 2024 13:00'],
    ['FREQ=DAILY;BYHOUR=7;BYMINUTE=0', 'every day at 07:00'],
  ])('%s → %s', (rule, expected) => {
    expect(text(rule)).toBe(expected);
  });

  const eight = new Date('2024-01-31T08:00-05:00');
  const range = 'BYHOUR=8,9,10,11,12,13,14,15,16,17,18,19,20';
  it.each([
    ['FREQ=HOURLY', eight, 'every hour'],
    ['FREQ=HOURLY;INTERVAL=2', eight, 'every 2 hours'],
    ['FREQ=HOURLY', at, 'every hour at :45'],
    ['FREQ=HOURLY;BYMINUTE=15,45', eight, 'every hour at :15 and :45'],
    [`FREQ=HOURLY;${range}`, eight, 'every hour from 08:00 to 20:00'],
    [`FREQ=HOURLY;${range}`, at, 'every hour from 08:45 to 20:45'],
    [`FREQ=HOURLY;INTERVAL=3;${range}`, eight, 'every 3 hours from 08:00 to 20:00'],
    // The hours INTERVAL reaches from the start: 09, 12, 15, 18.
    [
      `FREQ=HOURLY;INTERVAL=3;${range}`,
      new Date('2024-01-31T09:00-05:00'),
      'every 3 hours from 09:00 to 18:00',
    ],
    [
      `FREQ=HOURLY;INTERVAL=2;${range};BYDAY=MO,TU,WE,TH,FR`,
      eight,
      'every 2 hours from 08:00 to 20:00 on weekdays',
    ],
    [`FREQ=HOURLY;${range};BYMINUTE=0,30`, eight, 'every hour at :00 and :30, from 08:00 to 20:30'],
    ['FREQ=HOURLY;INTERVAL=4;BYDAY=SA,SU;BYMONTH=7', eight, 'every 4 hours on weekends in July'],
    ['FREQ=HOURLY;BYHOUR=8,20', eight, 'every day at 08:00 and 20:00'],
    ['FREQ=HOURLY;BYHOUR=9,21;BYMONTHDAY=1,15', eight, 'at 09:00 and 21:00 on the 1st and the 15th'],
    ['FREQ=HOURLY;INTERVAL=5;BYHOUR=8,13,18', eight, 'every 5 hours at 08:00, 13:00 and 18:00'],
    ['FREQ=HOURLY;INTERVAL=2;COUNT=6', eight, 'every 2 hours, 6 times'],
    ['FREQ=HOURLY;UNTIL=20240131T220000Z', eight, 'every hour, until January 31, 2024 17:00'],
    ['FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0', eight, 'every day at 08:00 and 20:00'],
  ])('%s from %s → %s', (rule, anchor, expected) => {
    expect(text(rule, anchor)).toBe(expected);
  });

  it('falls back to rrule for hourly rules it does not describe', () => {
    for (const rule of ['FREQ=HOURLY;BYMINUTE=0,30;BYSETPOS=-1', 'FREQ=HOURLY;INTERVAL=2;BYHOUR=9'])
      expect(text(rule, eight)).toBe(new RRule(RRule.parseString(rule)).toText());
  });

  it('gives the time of day in the task zone', () => {
    expect(text('FREQ=DAILY', new Date('2024-07-01T13:15Z'), 'Australia/Lord_Howe')).toBe(
      'every day at 23:45',
    );
  });

  it('falls back to rrule for parts it does not describe', () => {
    expect(text('FREQ=YEARLY;BYWEEKNO=20')).toBe(
      new RRule(RRule.parseString('FREQ=YEARLY;BYWEEKNO=20')).toText(),
    );
  });

  it('rrule 2.8.1 toText ignores BYSETPOS and mangles BYMONTHDAY=-1 (why we describe rules ourselves)', () => {
    const toText = (rule: string) => new RRule(RRule.parseString(rule)).toText();
    expect(toText('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1')).toBe('every month on weekdays');
    expect(toText('FREQ=MONTHLY;BYMONTHDAY=-1')).toBe('every month on the last');
  });
});
