import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildCalendar, type FeedTask, feedRule } from './feed.ts';

const rule = (recurrence_rule: string, occurrence_number = 1, time_zone = 'America/New_York') =>
  feedRule({ recurrence_rule, occurrence_number, time_zone });

describe('feedRule: our stored rule as the RRULE of a series shown from its open occurrence', () => {
  it('keeps the pattern, in upper case', () => {
    expect(rule('FREQ=WEEKLY;BYDAY=MO,WE')).toBe('FREQ=WEEKLY;BYDAY=MO,WE');
    expect(rule('RRULE:freq=daily;interval=2')).toBe('FREQ=DAILY;INTERVAL=2');
  });

  it('COUNT becomes what is left from the open occurrence (which is one of them)', () => {
    expect(rule('FREQ=DAILY;COUNT=10', 1)).toBe('FREQ=DAILY;COUNT=10');
    expect(rule('FREQ=DAILY;COUNT=10', 4)).toBe('FREQ=DAILY;COUNT=7');
    expect(rule('FREQ=DAILY;COUNT=10', 10)).toBe('FREQ=DAILY;COUNT=1');
  });

  it('UNTIL is written in UTC, as RFC 5545 requires with a zoned DTSTART', () => {
    // Already an instant.
    expect(rule('FREQ=DAILY;UNTIL=20300105T140000Z')).toBe('FREQ=DAILY;UNTIL=20300105T140000Z');
    // A local time in the task's zone: 09:00 EST.
    expect(rule('FREQ=DAILY;UNTIL=20300105T090000')).toBe('FREQ=DAILY;UNTIL=20300105T140000Z');
    // A date: the whole local day, to 23:59:59 EDT.
    expect(rule('FREQ=DAILY;UNTIL=20300705')).toBe('FREQ=DAILY;UNTIL=20300706T035959Z');
  });

  it('null for what a calendar cannot read (rrule’s BYEASTER) or what is no rule', () => {
    expect(rule('FREQ=YEARLY;BYEASTER=0')).toBeNull();
    expect(feedRule({ recurrence_rule: null, occurrence_number: 1, time_zone: 'UTC' })).toBeNull();
  });
});

const task = (over: Partial<FeedTask>): FeedTask => ({
  id: '00000000-0000-4000-8000-000000000001',
  title: 'Task',
  description: '',
  status: 'todo',
  priority: 'medium',
  due_at: new Date('2030-01-07T14:00:00Z'),
  time_zone: 'America/New_York',
  recurrence_rule: null,
  series_id: null,
  occurrence_number: 1,
  due_local: null,
  created_at: new Date('2029-12-01T00:00:00Z'),
  updated_at: new Date('2029-12-02T00:00:00Z'),
  tags: [],
  ...over,
});

const NOW = new Date('2026-12-02T00:00:00Z');

describe('buildCalendar', () => {
  it('is the same text for the same tasks (the ETag depends on it), whatever their order', () => {
    const a = task({ id: '00000000-0000-4000-8000-00000000000a', title: 'A' });
    const b = task({ id: '00000000-0000-4000-8000-00000000000b', title: 'B', time_zone: 'Europe/Paris' });
    const options = { type: 'event' as const, baseUrl: 'https://todo.example', now: NOW };
    expect(buildCalendar([a, b], options)).toBe(buildCalendar([b, a], options));
  });

  it('one component per series, from the occurrence with the highest number; an older open one stands alone', () => {
    const series = '00000000-0000-4000-8000-0000000000ff';
    const older = task({
      id: '00000000-0000-4000-8000-000000000002',
      recurrence_rule: 'FREQ=DAILY',
      series_id: series,
      occurrence_number: 2,
      due_at: new Date('2030-01-05T14:00:00Z'),
    });
    const open = task({
      id: '00000000-0000-4000-8000-000000000003',
      recurrence_rule: 'FREQ=DAILY',
      series_id: series,
      occurrence_number: 3,
      due_at: new Date('2030-01-06T14:00:00Z'),
    });
    const text = buildCalendar([older, open], { type: 'event', baseUrl: 'https://todo.example', now: NOW });
    const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent');
    expect(
      events.map((e) => [e.getFirstPropertyValue('uid'), String(e.getFirstPropertyValue('rrule') ?? '')]),
    ).toEqual([
      [`task-${older.id}@todo.example`, ''],
      [`series-${series}@todo.example`, 'FREQ=DAILY'],
    ]);
  });

  it('VTODO: DUE for a one-off; DTSTART at the same time as DUE when it recurs (its RRULE needs one)', () => {
    const text = buildCalendar(
      [
        task({ title: 'Once' }),
        task({
          id: '00000000-0000-4000-8000-000000000004',
          title: 'Often',
          recurrence_rule: 'FREQ=WEEKLY',
          series_id: '00000000-0000-4000-8000-0000000000ee',
        }),
      ],
      { type: 'todo', baseUrl: 'https://todo.example', now: NOW },
    );
    const todos = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vtodo');
    const [once, often] = todos;
    expect(once!.hasProperty('dtstart')).toBe(false);
    expect(String(once!.getFirstPropertyValue('due'))).toBe('2030-01-07T09:00:00');
    expect(String(often!.getFirstPropertyValue('dtstart'))).toBe('2030-01-07T09:00:00');
    expect(String(often!.getFirstPropertyValue('due'))).toBe('2030-01-07T09:00:00');
    expect(once!.getFirstPropertyValue('status')).toBe('NEEDS-ACTION');
  });
});
