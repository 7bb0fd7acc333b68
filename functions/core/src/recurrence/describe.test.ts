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
