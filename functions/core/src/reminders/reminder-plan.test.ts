import { describe, expect, it } from 'vitest';
import {
  LATE_REMINDER_GRACE_MS,
  occurrenceKey,
  offsetOfKey,
  parseOccurrenceKey,
  planReminders,
  snoozeOf,
} from './reminder-plan.ts';

const id = '0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const now = new Date('2026-03-01T12:00:00.000Z');
const task = (due: string | null, offsets: number[], status = 'todo') => ({
  id,
  status,
  due_at: due,
  reminder_offsets: offsets,
});

describe('planReminders', () => {
  it('gives one job per offset, named by task and offset, due at due − offset', () => {
    const plan = planReminders(task('2026-03-01T15:00:00Z', [60, 0, 15]), now);
    expect(plan.schedule.map((r) => [r.jobName, r.fireAt.toISOString(), r.occurrenceKey])).toEqual([
      [`reminder-${id}-0`, '2026-03-01T15:00:00.000Z', '2026-03-01T15:00:00.000Z/0'],
      [`reminder-${id}-15`, '2026-03-01T14:45:00.000Z', '2026-03-01T15:00:00.000Z/15'],
      [`reminder-${id}-60`, '2026-03-01T14:00:00.000Z', '2026-03-01T15:00:00.000Z/60'],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('has nothing for a missing, done or undated task', () => {
    expect(planReminders(null, now).schedule).toEqual([]);
    expect(planReminders(task('2026-03-01T15:00:00Z', [5], 'done'), now).schedule).toEqual([]);
    expect(planReminders(task(null, [5]), now).schedule).toEqual([]);
  });

  it('fires a passed reminder at once while the task is still ahead of its due date', () => {
    const plan = planReminders(task('2026-03-01T12:30:00Z', [60]), now);
    expect(plan.schedule).toHaveLength(1);
    expect(plan.schedule[0]!.fireAt).toEqual(now);
    expect(plan.schedule[0]!.remindAt.toISOString()).toBe('2026-03-01T11:30:00.000Z');
  });

  it('still fires reminders missed during an outage, late, while the task is overdue by less than the grace', () => {
    const plan = planReminders(task('2026-03-01T11:50:00Z', [0, 30]), now);
    expect(plan.schedule.map((r) => [r.offsetMinutes, r.fireAt])).toEqual([
      [0, now],
      [30, now],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('skips a passed reminder once the task is overdue by more than the grace', () => {
    const due = new Date(now.getTime() - LATE_REMINDER_GRACE_MS - 1000).toISOString();
    const plan = planReminders(task(due, [0, 30]), now);
    expect(plan.schedule).toEqual([]);
    expect(plan.skipped.map((r) => r.offsetMinutes)).toEqual([0, 30]);
  });

  it('reads the offset back from a plain occurrence key but not from a snooze key', () => {
    const key = occurrenceKey('2026-03-01T15:00:00+01:00', 15);
    expect(key).toBe('2026-03-01T14:00:00.000Z/15');
    expect(offsetOfKey(key)).toBe(15);
    expect(offsetOfKey(snoozeOf(key, now).occurrenceKey)).toBeNull();
  });

  it('snoozes a reminder by its parts: a snooze of a snooze is a snooze of the same reminder', () => {
    const key = occurrenceKey('2026-03-01T15:00:00Z', 15);
    const first = snoozeOf(key, now);
    expect(first).toEqual({ occurrenceKey: `${key}/snooze/2026-03-01T12:00:00.000Z`, offsetMinutes: 15 });
    const later = new Date(now.getTime() + 600_000);
    expect(snoozeOf(first.occurrenceKey, later).occurrenceKey).toBe(`${key}/snooze/${later.toISOString()}`);
    expect(parseOccurrenceKey(first.occurrenceKey)).toEqual({
      dueAt: new Date('2026-03-01T15:00:00Z'),
      offsetMinutes: 15,
      snoozedUntil: now,
    });
    expect(parseOccurrenceKey('not a key')).toBeNull();
  });
});
