import { describe, expect, it } from 'vitest';
import { apiQueryFromView, paramsFromView, viewFromParams } from '../lib/list-query.ts';
import { draftToRule, emptyDraft, hourRange, type RecurrenceDraft, ruleToDraft } from '../lib/rrule.ts';
import { pollUntil } from '../lib/series.ts';
import {
  addDays,
  dayHeading,
  dayRange,
  formatDay,
  instantToWall,
  startOfWeek,
  wallToInstant,
} from '../lib/time.ts';

const ZONE = 'America/New_York';
const untilUtc = (date: string) => `${date.replaceAll('-', '')}T045959Z`;
const untilDate = (utc: string) => `${utc.slice(0, 4)}-${utc.slice(4, 6)}-${utc.slice(6, 8)}`;
const draft = (patch: Partial<RecurrenceDraft>): RecurrenceDraft => ({ ...emptyDraft(), ...patch });

describe('recurrence builder ↔ RRULE', () => {
  it.each([
    [draft({ kind: 'none' }), null],
    [draft({ kind: 'hourly' }), 'FREQ=HOURLY'],
    [draft({ kind: 'hourly', interval: 4 }), 'FREQ=HOURLY;INTERVAL=4'],
    [
      draft({ kind: 'hourly', interval: 2, hours: { from: 9, to: 17 } }),
      'FREQ=HOURLY;INTERVAL=2;BYHOUR=9,10,11,12,13,14,15,16,17',
    ],
    [draft({ kind: 'hourly', hours: { from: 0, to: 0 } }), 'FREQ=HOURLY;BYHOUR=0'],
    [draft({ kind: 'hourly', hourlyDays: ['SA', 'MO'] }), 'FREQ=HOURLY;BYDAY=MO,SA'],
    [
      draft({ kind: 'hourly', interval: 3, hours: { from: 8, to: 11 }, hourlyDays: ['FR', 'MO', 'WE'] }),
      'FREQ=HOURLY;INTERVAL=3;BYHOUR=8,9,10,11;BYDAY=MO,WE,FR',
    ],
    [draft({ kind: 'hourly', interval: 6, end: 'count', count: 8 }), 'FREQ=HOURLY;INTERVAL=6;COUNT=8'],
    [draft({ kind: 'daily' }), 'FREQ=DAILY'],
    [draft({ kind: 'daily', interval: 3 }), 'FREQ=DAILY;INTERVAL=3'],
    [draft({ kind: 'weekdays' }), 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR'],
    [draft({ kind: 'weekly', interval: 2, weekdays: ['TH', 'TU'] }), 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH'],
    [draft({ kind: 'monthly_day', monthDay: 15 }), 'FREQ=MONTHLY;BYMONTHDAY=15'],
    [draft({ kind: 'monthly_nth', nth: 2, nthWeekday: 'TU' }), 'FREQ=MONTHLY;BYDAY=+2TU'],
    [draft({ kind: 'monthly_nth', nth: -1, nthWeekday: 'FR' }), 'FREQ=MONTHLY;BYDAY=-1FR'],
    [draft({ kind: 'monthly_last' }), 'FREQ=MONTHLY;BYMONTHDAY=-1'],
    [draft({ kind: 'yearly' }), 'FREQ=YEARLY'],
    [draft({ kind: 'daily', end: 'count', count: 5 }), 'FREQ=DAILY;COUNT=5'],
    [
      draft({ kind: 'weekdays', end: 'until', until: '2027-01-31' }),
      'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270131T045959Z',
    ],
    [
      draft({ kind: 'raw', raw: 'RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1' }),
      'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    ],
  ])('%o → %s, and back to the same choices', (d, rule) => {
    expect(draftToRule(d, untilUtc)).toBe(rule);
    if (rule === null) return;
    const back = ruleToDraft(rule, 'schedule', untilDate);
    expect(draftToRule(back, untilUtc)).toBe(rule);
    if (d.kind !== 'raw') expect(back.kind).toBe(d.kind);
  });

  it('opens rules the builder cannot show as a raw RRULE, unchanged', () => {
    for (const rule of [
      'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
      'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'FREQ=DAILY;BYHOUR=9',
      // Hourly, but not as the builder writes it: gaps in the hours, an ordinal day, a day of the month.
      'FREQ=HOURLY;BYHOUR=9,12',
      'FREQ=HOURLY;BYHOUR=23,0,1',
      'FREQ=HOURLY;BYHOUR=24',
      'FREQ=HOURLY;BYDAY=1MO',
      'FREQ=HOURLY;BYMONTHDAY=1',
      'FREQ=HOURLY;BYMINUTE=30',
    ]) {
      const d = ruleToDraft(rule, 'completion', untilDate);
      expect(d.kind).toBe('raw');
      expect(d.mode).toBe('completion');
      expect(draftToRule(d, untilUtc)).toBe(rule);
    }
  });
});

describe('hourly rules', () => {
  it('read back the range and the days, whatever order the rule lists them in', () => {
    const d = ruleToDraft('FREQ=HOURLY;INTERVAL=2;BYHOUR=11,9,10;BYDAY=FR,MO', 'schedule', untilDate);
    expect(d).toMatchObject({
      kind: 'hourly',
      interval: 2,
      hours: { from: 9, to: 11 },
      hourlyDays: ['FR', 'MO'],
    });
    expect(draftToRule(d, untilUtc)).toBe('FREQ=HOURLY;INTERVAL=2;BYHOUR=9,10,11;BYDAY=MO,FR');
  });

  it('list every hour of the range, both ends included', () => {
    expect(hourRange(9, 12)).toEqual([9, 10, 11, 12]);
    expect(hourRange(23, 23)).toEqual([23]);
    expect(hourRange(0, 23)).toHaveLength(24);
  });
});

describe('wall-clock time in the user’s zone', () => {
  it('turns a date and time in New York into the right instant, summer and winter', () => {
    expect(wallToInstant('2026-07-01', '09:00', ZONE).toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(wallToInstant('2026-12-01', '09:00', ZONE).toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(instantToWall('2026-12-01T14:00:00.000Z', ZONE)).toEqual({ date: '2026-12-01', time: '09:00' });
  });

  it('moves a time in the spring-forward gap to the first valid minute after it', () => {
    expect(instantToWall(wallToInstant('2026-03-08', '02:30', ZONE), ZONE)).toEqual({
      date: '2026-03-08',
      time: '03:30',
    });
  });

  it('round-trips every hour across both DST changes', () => {
    for (const date of ['2026-03-08', '2026-11-01']) {
      for (let h = 0; h < 24; h++) {
        const time = `${String(h).padStart(2, '0')}:15`;
        if (date === '2026-03-08' && h === 2) continue; // does not exist
        expect(instantToWall(wallToInstant(date, time, ZONE), ZONE)).toEqual({ date, time });
      }
    }
  });

  it('bounds whole days and weeks in the zone', () => {
    expect(dayRange('2026-11-23', '2026-11-23', ZONE)).toEqual({
      from: '2026-11-23T05:00:00.000Z',
      to: '2026-11-24T04:59:59.999Z',
    });
    expect(startOfWeek('2026-11-26')).toBe('2026-11-23');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('the task list’s URL', () => {
  it('keeps only non-default values and reads back the same view', () => {
    const view = viewFromParams(
      new URLSearchParams('q=urgent&priority=high&status=in_progress&sort=priority&order=desc'),
    );
    expect(view).toMatchObject({
      q: 'urgent',
      priority: ['high'],
      status: ['in_progress'],
      sort: 'priority',
      order: 'desc',
    });
    expect(paramsFromView(view)).toBe('q=urgent&status=in_progress&priority=high&sort=priority&order=desc');
    expect(paramsFromView(viewFromParams(new URLSearchParams('sort=bogus&priority=urgent')))).toBe('');
  });

  it('turns "today" into the day’s bounds in the user’s zone', () => {
    const view = viewFromParams(new URLSearchParams('due=today'));
    const q = apiQueryFromView(view, ZONE, new Date('2026-11-24T03:00:00Z')); // 22:00 on the 23rd in New York
    expect(q.due_from).toBe('2026-11-23T05:00:00.000Z');
    expect(q.due_to).toBe('2026-11-24T04:59:59.999Z');
    expect(apiQueryFromView(viewFromParams(new URLSearchParams('due=overdue')), ZONE).overdue).toBe('true');
  });
});

describe('pollUntil (waiting for the next occurrence after a completion)', () => {
  it('asks after each delay until yes, treats a failed ask as no, and gives up when the delays run out', async () => {
    const waited: number[] = [];
    const wait = async (ms: number) => {
      waited.push(ms);
    };
    const answers = [
      async () => {
        throw new Error('503');
      },
      async () => false,
      async () => true,
    ];
    expect(await pollUntil(() => answers.shift()!(), [1, 2, 3, 4], wait)).toBe(true);
    expect(waited).toEqual([1, 2, 3]);
    expect(await pollUntil(async () => false, [5, 6], wait)).toBe(false);
    expect(waited).toEqual([1, 2, 3, 5, 6]);
  });
});

describe('the agenda’s day headings', () => {
  it('names a calendar day without shifting it through a zone, today and tomorrow by name', () => {
    expect(formatDay('2025-03-09')).toBe('Sunday 9 March');
    expect(formatDay('2024-12-31')).toBe('Tuesday 31 December');
    expect(dayHeading('2025-03-09', '2025-03-09')).toBe('Today · Sunday 9 March');
    expect(dayHeading('2025-01-01', '2024-12-31')).toBe('Tomorrow · Wednesday 1 January');
    expect(dayHeading('2025-01-02', '2024-12-31')).toBe('Thursday 2 January');
  });
});
