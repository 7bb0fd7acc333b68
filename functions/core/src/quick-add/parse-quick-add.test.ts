import { RRule } from 'rrule';
import { describe, expect, it } from 'vitest';
import { TaskCreate } from '../schemas.ts';
import { parseQuickAdd } from './parse-quick-add.ts';
import { QuickAddParse } from './schema.ts';

/**
 * Every phrase is parsed at the same instant: Thursday 5 March 2026, 14:30 UTC (09:30 in New York, three
 * days before its clocks go forward on 8 March; London goes forward on 29 March). `why` records the
 * decision behind each ambiguous reading; quick-add/README.md has the full list.
 */
const NOW = new Date('2026-03-05T14:30:00Z');

interface Row {
  text: string;
  zone?: string;
  title: string;
  due: string | null;
  rule?: string;
  mode?: 'completion';
  reminders?: number[];
  tags?: string[];
  priority?: 'low' | 'high';
  why?: string;
}

const TABLE: Row[] = [
  {
    text: 'Pay rent every month on the 1st at 9am remind me 1 day before #bills !high',
    title: 'Pay rent',
    due: '2026-04-01T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=1',
    reminders: [1440],
    tags: ['bills'],
    priority: 'high',
  },
  {
    text: 'pay rent every month on the 1st 9am remind 1 day before #bills high',
    title: 'pay rent',
    due: '2026-04-01T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=1',
    reminders: [1440],
    tags: ['bills'],
    priority: 'high',
    why: "the product brief's phrasing: a bare trailing 'high' after metadata is the priority",
  },
  { text: 'Call bob tomorrow 5pm', title: 'Call bob', due: '2026-03-06T17:00:00-05:00' },
  {
    text: 'Dentist next friday',
    title: 'Dentist',
    due: '2026-03-13T09:00:00-04:00',
    why: "'next friday' on a Thursday is the Friday of NEXT week (9 days); 'friday'/'this friday' is tomorrow",
  },
  { text: 'Dentist friday', title: 'Dentist', due: '2026-03-06T09:00:00-05:00' },
  { text: 'Dentist this friday at 3pm', title: 'Dentist', due: '2026-03-06T15:00:00-05:00' },
  { text: 'Groceries in 3 days', title: 'Groceries', due: '2026-03-08T09:00:00-04:00' },
  {
    text: 'Standup every weekday at 8:45',
    title: 'Standup',
    due: '2026-03-06T08:45:00-05:00',
    rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  },
  {
    text: 'Gym every 2 weeks on monday and thursday',
    title: 'Gym',
    due: '2026-03-09T09:00:00-04:00',
    rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH',
    why: 'days named: the first is the next named day; INTERVAL counts from there',
  },
  {
    text: 'Invoices last day of every month',
    title: 'Invoices',
    due: '2026-03-31T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
  },
  {
    text: 'Birthday every year on 29 feb',
    title: 'Birthday',
    due: '2027-02-28T09:00:00-05:00',
    rule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1',
    why: '29 February repeats on the last day of February in other years (BYSETPOS=-1), first one in 2027',
  },
  { text: 'Call mom tonight', title: 'Call mom', due: '2026-03-05T20:00:00-05:00' },
  {
    text: 'Meeting at 10',
    title: 'Meeting',
    due: '2026-03-05T10:00:00-05:00',
    why: 'a bare hour 8-12 is morning; later today if still ahead',
  },
  {
    text: 'Call Sam at 5',
    title: 'Call Sam',
    due: '2026-03-05T17:00:00-05:00',
    why: 'a bare hour 1-7 without am/pm means pm',
  },
  { text: 'Report due on friday', title: 'Report', due: '2026-03-06T09:00:00-05:00' },
  {
    text: 'Review thursday',
    title: 'Review',
    due: '2026-03-05T23:59:00-05:00',
    why: 'a weekday naming today means today; a date without a time is 09:00, but today after 09:00 is the end of the day',
  },
  {
    text: 'Review thursday 8am',
    title: 'Review',
    due: '2026-03-12T08:00:00-04:00',
    why: "a bare weekday whose time has passed today means next week's (and lands after the DST change)",
  },
  { text: 'Buy milk today', title: 'Buy milk', due: '2026-03-05T23:59:00-05:00' },
  {
    text: 'Buy milk today 8am',
    title: 'Buy milk',
    due: '2026-03-05T08:00:00-05:00',
    why: 'an explicit past time is kept (overdue), with a note',
  },
  {
    text: '3/4 taxes',
    title: 'taxes',
    due: '2027-03-04T09:00:00-05:00',
    why: "numeric dates are month-first in America/* zones; a date already past this year is next year's",
  },
  {
    text: '3/4 taxes',
    zone: 'Europe/London',
    title: 'taxes',
    due: '2026-04-03T09:00:00+01:00',
    why: 'day-first outside the Americas: 3 April',
  },
  {
    text: 'Sunday school prep',
    title: 'school prep',
    due: '2026-03-08T09:00:00-04:00',
    why: 'a day name is read as a date; quote it to keep it in the title',
  },
  { text: '"Sunday school" prep tomorrow', title: 'Sunday school prep', due: '2026-03-06T09:00:00-05:00' },
  { text: 'in 2 hours check oven', title: 'check oven', due: '2026-03-05T11:30:00-05:00' },
  {
    text: 'Water plants every 3 days after completion',
    title: 'Water plants',
    due: '2026-03-08T09:00:00-04:00',
    rule: 'FREQ=DAILY;INTERVAL=3',
    mode: 'completion',
  },
  {
    text: 'Water plants every! 3 days',
    title: 'Water plants',
    due: '2026-03-08T09:00:00-04:00',
    rule: 'FREQ=DAILY;INTERVAL=3',
    mode: 'completion',
    why: "Todoist's 'every!' means from completion",
  },
  {
    text: 'Standup every monday at 9am remind me 15 min before',
    title: 'Standup',
    due: '2026-03-09T09:00:00-04:00',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
    reminders: [15],
  },
  {
    text: 'Team sync every tuesday and thursday at 10:30',
    title: 'Team sync',
    due: '2026-03-05T10:30:00-05:00',
    rule: 'FREQ=WEEKLY;BYDAY=TU,TH',
  },
  {
    text: 'Backup every first monday of the month',
    title: 'Backup',
    due: '2026-04-06T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYDAY=1MO',
  },
  { text: 'Pay card on the 15th', title: 'Pay card', due: '2026-03-15T09:00:00-04:00' },
  {
    text: 'Rent every month on the 31st',
    title: 'Rent',
    due: '2026-03-31T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1',
    why: "the 29th-31st clamp to the month's last day instead of skipping short months",
  },
  {
    text: 'Taxes every quarter on the 15th',
    title: 'Taxes',
    due: '2026-03-15T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15',
  },
  {
    text: 'Review every last weekday of the month',
    title: 'Review',
    due: '2026-03-31T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
  },
  {
    text: 'Clean every weekend',
    title: 'Clean',
    due: '2026-03-07T09:00:00-05:00',
    rule: 'FREQ=WEEKLY;BYDAY=SA,SU',
  },
  {
    text: 'Read daily for 10 times',
    title: 'Read',
    due: '2026-03-06T09:00:00-05:00',
    rule: 'FREQ=DAILY;COUNT=10',
  },
  {
    text: 'Standup weekdays at 9:15 until march 31',
    title: 'Standup',
    due: '2026-03-06T09:15:00-05:00',
    rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260401T035959Z',
  },
  {
    text: 'Yoga every week starting next monday',
    title: 'Yoga',
    due: '2026-03-09T09:00:00-04:00',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
  },
  {
    text: 'Plan next week',
    title: 'Plan',
    due: '2026-03-09T09:00:00-04:00',
    why: "'next week' is the Monday of next week",
  },
  {
    text: 'Budget next month',
    title: 'Budget',
    due: '2026-04-01T09:00:00-04:00',
    why: "'next month' is the 1st of next month",
  },
  {
    text: 'Turn the oven to low',
    title: 'Turn the oven to low',
    due: null,
    why: 'a bare priority word only counts right after other understood metadata',
  },
  { text: 'Call bob tomorrow p1', title: 'Call bob', due: '2026-03-06T09:00:00-05:00', priority: 'high' },
  { text: 'Ship it !urgent', title: 'Ship it', due: null, priority: 'high' },
  { text: 'Ship it high priority', title: 'Ship it', due: null, priority: 'high' },
  { text: 'Tidy desk p3', title: 'Tidy desk', due: null, priority: 'low' },
  {
    text: 'Remind me to call mom tomorrow at 6pm',
    title: 'call mom',
    due: '2026-03-06T18:00:00-05:00',
    reminders: [0],
    why: "'Remind me to' asks for a reminder at the due time",
  },
  {
    text: 'Dentist tomorrow 9am remind me 2 hours and 15 minutes before',
    title: 'Dentist',
    due: '2026-03-06T09:00:00-05:00',
    reminders: [120, 15],
    why: "'and' separates reminders: two reminders, not one at 135 minutes",
  },
  {
    text: 'Dentist tomorrow 9am remind me 1h30m before',
    title: 'Dentist',
    due: '2026-03-06T09:00:00-05:00',
    reminders: [90],
    why: 'adjacent units are one reminder',
  },
  {
    text: 'Cake on feb 29',
    title: 'Cake',
    due: '2028-02-29T09:00:00-05:00',
    why: 'a one-off 29 February is the next leap day',
  },
  {
    text: 'Newsletter every 2nd tuesday',
    title: 'Newsletter',
    due: '2026-03-10T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYDAY=2TU',
  },
  {
    text: 'Stretch every hour',
    title: 'Stretch',
    due: '2026-03-05T10:00:00-05:00',
    rule: 'FREQ=HOURLY',
    why: 'no time given: counted from the current hour (09:00), the first at or after now is 10:00',
  },
  { text: 'Water hourly', title: 'Water', due: '2026-03-05T10:00:00-05:00', rule: 'FREQ=HOURLY' },
  {
    text: 'Meds every 4 hours',
    title: 'Meds',
    due: '2026-03-05T13:00:00-05:00',
    rule: 'FREQ=HOURLY;INTERVAL=4',
  },
  {
    text: 'Pills every! 6 hours',
    title: 'Pills',
    due: '2026-03-05T15:00:00-05:00',
    rule: 'FREQ=HOURLY;INTERVAL=6',
    mode: 'completion',
  },
  {
    text: 'Feed baby every 3 hours at 7am',
    title: 'Feed baby',
    due: '2026-03-05T10:00:00-05:00',
    rule: 'FREQ=HOURLY;INTERVAL=3',
    why: 'the time given is the phase: 07:00, 10:00, 13:00 …',
  },
  {
    text: 'Stand up every 2 hours from 8am to 8pm',
    title: 'Stand up',
    due: '2026-03-05T10:00:00-05:00',
    rule: 'FREQ=HOURLY;INTERVAL=2;BYHOUR=8,9,10,11,12,13,14,15,16,17,18,19,20',
    why: 'a range is every hour of it in BYHOUR; INTERVAL counts from its start (08:00, 10:00 … 20:00)',
  },
  {
    text: 'Break every 3 hours between 9 and 5',
    title: 'Break',
    due: '2026-03-05T12:00:00-05:00',
    rule: 'FREQ=HOURLY;INTERVAL=3;BYHOUR=9,10,11,12,13,14,15,16,17',
    why: "a bare '5' is 5 pm, as for dates",
  },
  {
    text: 'Look away every 5 hours from 8am to 8pm',
    title: 'Look away',
    due: '2026-03-05T13:00:00-05:00',
    rule: 'FREQ=DAILY;BYHOUR=8,13,18',
    why: 'every 5 hours would drift day by day (08, 13, 18, then 09 …): the same hours every day instead, with a note',
  },
  {
    text: 'Check the baby every hour from 10pm to 2am',
    title: 'Check the baby',
    due: '2026-03-05T22:00:00-05:00',
    rule: 'FREQ=HOURLY;BYHOUR=0,1,2,22,23',
  },
  {
    text: 'Stretch every hour until friday',
    title: 'Stretch',
    due: '2026-03-05T10:00:00-05:00',
    rule: 'FREQ=HOURLY;UNTIL=20260307T045959Z',
  },
  {
    text: 'Stretch every hour on weekdays',
    title: 'Stretch',
    due: '2026-03-05T10:00:00-05:00',
    rule: 'FREQ=HOURLY;BYDAY=MO,TU,WE,TH,FR',
  },
  {
    text: 'Walk every 2 hours from 9am to 5pm on mon, wed and fri',
    title: 'Walk',
    due: '2026-03-06T09:00:00-05:00',
    rule: 'FREQ=HOURLY;INTERVAL=2;BYHOUR=9,10,11,12,13,14,15,16,17;BYDAY=MO,WE,FR',
  },
  {
    text: 'Check hourly between 8:30am and 6pm',
    title: 'Check',
    due: '2026-03-05T09:30:00-05:00',
    rule: 'FREQ=HOURLY;BYHOUR=8,9,10,11,12,13,14,15,16,17',
    why: 'the range starts at 08:30, so the hours are 08:30 … 17:30 (18:30 is past 6pm)',
  },
  {
    text: 'Stretch every 30 minutes',
    title: 'Stretch',
    due: null,
    why: 'repeats more often than hourly are not supported: none set, with a note',
  },
  {
    text: 'Trash every other week',
    title: 'Trash',
    due: '2026-03-19T09:00:00-04:00',
    rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH',
    why: "no day named: the series is anchored today (Thursday); today's 09:00 has passed so the first is 2 weeks on",
  },
  {
    text: 'Pills every day at 8am and remind me at the due time',
    title: 'Pills',
    due: '2026-03-06T08:00:00-05:00',
    rule: 'FREQ=DAILY',
    reminders: [0],
  },
  { text: 'Doctor tomorrow afternoon', title: 'Doctor', due: '2026-03-06T15:00:00-05:00' },
  { text: 'Run tomorrow morning', title: 'Run', due: '2026-03-06T09:00:00-05:00' },
  { text: 'Renew passport on 2027-06-01 at noon', title: 'Renew passport', due: '2027-06-01T12:00:00-04:00' },
  {
    text: 'Email from Bob every monday',
    title: 'Email from Bob',
    due: '2026-03-09T09:00:00-04:00',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
    why: "'from Bob' is not a date, so it is not a start bound and stays in the title",
  },
  {
    text: 'Run every day starting march 10 for 5 times',
    title: 'Run',
    due: '2026-03-10T09:00:00-04:00',
    rule: 'FREQ=DAILY;COUNT=5',
  },
  {
    text: 'Vote every year on nov 3 until 2030',
    title: 'Vote',
    due: '2026-11-03T09:00:00-05:00',
    rule: 'FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=3;UNTIL=20310101T045959Z',
  },
  {
    text: 'Backup sunday 2:30am',
    title: 'Backup',
    due: '2026-03-08T03:30:00-04:00',
    why: '02:30 does not exist on the spring-forward day: moved forward to 03:30 EDT',
  },
  {
    text: 'Rollback nov 1 1:30am',
    title: 'Rollback',
    due: '2026-11-01T01:30:00-04:00',
    why: '01:30 happens twice on the fall-back day: the first (EDT), as RFC 5545 says',
  },
  { text: 'Water every day at 2:30am', title: 'Water', due: '2026-03-06T02:30:00-05:00', rule: 'FREQ=DAILY' },
  {
    text: 'Daily standup every day at 9am',
    title: 'Daily standup',
    due: '2026-03-06T09:00:00-05:00',
    rule: 'FREQ=DAILY',
    why: "the longest repeat phrase wins, so the adjective 'Daily' stays in the title",
  },
  {
    text: 'Call bob tomorrow 5pm',
    zone: 'Europe/London',
    title: 'Call bob',
    due: '2026-03-06T17:00:00+00:00',
  },
  {
    text: 'Stretch every day at 9am from march 28',
    zone: 'Europe/London',
    title: 'Stretch',
    due: '2026-03-28T09:00:00+00:00',
    rule: 'FREQ=DAILY',
    why: 'London: the start lands on the first day of BST',
  },
  {
    text: 'Sync every day at 2:15am starting oct 3',
    zone: 'Australia/Lord_Howe',
    title: 'Sync',
    due: '2026-10-03T02:15:00+10:30',
    rule: 'FREQ=DAILY',
  },
  {
    text: 'Sync oct 4 2:15am',
    zone: 'Australia/Lord_Howe',
    title: 'Sync',
    due: '2026-10-04T02:45:00+11:00',
    why: 'Lord Howe springs forward 30 minutes: 02:15 does not exist and becomes 02:45',
  },
  {
    text: 'Sync april 5 1:45am',
    zone: 'Australia/Lord_Howe',
    title: 'Sync',
    due: '2026-04-05T01:45:00+11:00',
    why: 'Lord Howe falls back 30 minutes: 01:45 happens twice, the first (+11:00) is chosen',
  },
  {
    text: 'Call bob friday at 7:30pm',
    zone: 'Asia/Kolkata',
    title: 'Call bob',
    due: '2026-03-06T19:30:00+05:30',
  },
  {
    text: 'Pay bills biweekly on friday',
    title: 'Pay bills',
    due: '2026-03-06T09:00:00-05:00',
    rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=FR',
    why: "'biweekly' is read as every two weeks, not twice a week",
  },
  {
    text: 'Check smoke alarms every 6 months',
    title: 'Check smoke alarms',
    due: '2026-09-05T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=5',
    why: 'no day named: anchored today, so the first is 6 months on',
  },
  {
    text: 'Anniversary every year on june 12 at 7pm #family',
    title: 'Anniversary',
    due: '2026-06-12T19:00:00-04:00',
    rule: 'FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=12',
    tags: ['family'],
  },
  {
    text: 'Book review every month on the second tuesday',
    title: 'Book review',
    due: '2026-03-10T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYDAY=2TU',
  },
  {
    text: 'Sprint review every 3 weeks on wednesday',
    title: 'Sprint review',
    due: '2026-03-11T09:00:00-04:00',
    rule: 'FREQ=WEEKLY;INTERVAL=3;BYDAY=WE',
  },
  {
    text: 'Remind me the day before: dentist march 20 at 10am',
    title: 'dentist',
    due: '2026-03-20T10:00:00-04:00',
    reminders: [1440],
  },
  {
    text: 'Buy #groceries #Home milk and eggs tomorrow',
    title: 'Buy milk and eggs',
    due: '2026-03-06T09:00:00-05:00',
    tags: ['groceries', 'Home'],
  },
  { text: 'Reply to Alex in 30 minutes', title: 'Reply to Alex', due: '2026-03-05T10:00:00-05:00' },
  {
    text: 'Sync every weekday at 9am until friday',
    title: 'Sync',
    due: '2026-03-06T09:00:00-05:00',
    rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260307T045959Z',
  },
  { text: 'Fix bug 1234', title: 'Fix bug 1234', due: null },
  {
    text: 'Write report by friday 5pm priority: low',
    title: 'Write report',
    due: '2026-03-06T17:00:00-05:00',
    priority: 'low',
  },
  {
    text: 'Remind me 1 day before',
    title: '',
    due: null,
    why: 'a reminder without a due date is dropped, with a note',
  },
  { text: 'Pay invoice 12/25', title: 'Pay invoice', due: '2026-12-25T09:00:00-05:00' },
  {
    text: 'Close books every month on the last day',
    title: 'Close books',
    due: '2026-03-31T09:00:00-04:00',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
  },
  {
    text: 'Wash car every 2 weeks after done',
    title: 'Wash car',
    due: '2026-03-19T09:00:00-04:00',
    rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH',
    mode: 'completion',
  },
];

describe('parseQuickAdd: the phrase table', () => {
  it('has at least 60 phrases', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(60);
  });

  it.each(TABLE)('$text', (row) => {
    const zone = row.zone ?? 'America/New_York';
    const parsed = parseQuickAdd(row.text, { now: NOW, timeZone: zone });
    expect({
      title: parsed.title,
      due: parsed.due_at,
      rule: parsed.recurrence?.rule,
      mode: parsed.recurrence?.mode === 'completion' ? 'completion' : undefined,
      reminders: parsed.reminders,
      tags: parsed.tags,
      priority: parsed.priority,
      zone: parsed.time_zone,
    }).toEqual({
      title: row.title,
      due: row.due,
      rule: row.rule,
      mode: row.mode,
      reminders: row.reminders ?? [],
      tags: row.tags ?? [],
      priority: row.priority ?? 'medium',
      zone,
    });
  });
});

describe('parseQuickAdd: what the preview tells the user', () => {
  const parse = (text: string, zone = 'America/New_York') =>
    parseQuickAdd(text, { now: NOW, timeZone: zone });

  it('turns every parse of the table into a task the API accepts (recurrence rules included)', () => {
    for (const row of TABLE) {
      const p = QuickAddParse.parse(parse(row.text, row.zone));
      if (!p.title) continue;
      const { notes: _notes, ...task } = p;
      const checked = TaskCreate.safeParse(task);
      expect(checked.error?.issues ?? [], row.text).toEqual([]);
      if (task.recurrence) {
        const options = RRule.parseString(task.recurrence.rule);
        const first = new RRule({ ...options, dtstart: new Date(p.due_at!) }).all((_, i) => i < 3);
        expect(first.length, row.text).toBeGreaterThan(0);
      }
    }
  });

  it('explains clamped month days, dropped reminders, unsupported repeats, drifting hours and a missing title', () => {
    expect(parse('Rent every month on the 31st').notes.join()).toMatch(/last day of the month/);
    expect(parse('Remind me 1 day before').notes.join()).toMatch(/Reminders need a due date/);
    expect(parse('Stretch every 30 minutes').notes.join()).toMatch(/more often than hourly/);
    expect(parse('Stretch every half hour').notes.join()).toMatch(/more often than hourly/);
    expect(parse('Look away every 5 hours from 8am to 8pm').notes.join()).toMatch(
      /is 08:00, 13:00 and 18:00 each day/,
    );
    expect(parse('tomorrow 5pm').notes.join()).toMatch(/no title/);
    expect(parse('Buy milk today 8am').notes.join()).toMatch(/already passed/);
  });

  it('keeps quoted text verbatim, tags in their typed case, and the last explicit priority', () => {
    const p = parse('"Call Mom tomorrow" at home #Family #family !low !high');
    expect(p.title).toBe('Call Mom tomorrow at home');
    expect(p.due_at).toBeNull();
    expect(p.tags).toEqual(['Family']);
    expect(p.priority).toBe('high');
  });
});
