import { describe, expect, it } from 'vitest';
import { nextDue, type OccurrenceState, upcomingDues } from './next-due.ts';

const NY = 'America/New_York';
const state = (s: Partial<OccurrenceState>): OccurrenceState => ({
  rule: 'FREQ=DAILY',
  mode: 'schedule',
  dueAt: new Date('2024-03-09T09:00-05:00'),
  dueLocal: null,
  timeZone: NY,
  occurrenceNumber: 1,
  completedAt: null,
  ...s,
});

describe('nextDue', () => {
  it("schedule mode: the day after the occurrence's due, 09:00 local across spring-forward", () => {
    expect(nextDue(state({ completedAt: new Date('2024-03-09T20:00-05:00') }))).toEqual({
      dueAt: new Date('2024-03-10T09:00-04:00'),
      dueLocal: '2024-03-10T09:00:00',
      occurrenceNumber: 2,
    });
  });

  it('schedule mode: a late completion does not shift the series', () => {
    const late = nextDue(state({ completedAt: new Date('2024-03-12T15:00-04:00') }));
    expect(late?.dueAt).toEqual(new Date('2024-03-10T09:00-04:00'));
  });

  it('completion mode: restarts on the local day of completion at the same wall-clock time', () => {
    const evening = nextDue(state({ mode: 'completion', completedAt: new Date('2024-03-12T15:00-04:00') }));
    expect(evening?.dueAt).toEqual(new Date('2024-03-13T09:00-04:00'));
    const early = nextDue(state({ mode: 'completion', completedAt: new Date('2024-03-12T07:00-04:00') }));
    expect(early?.dueAt).toEqual(new Date('2024-03-13T09:00-04:00'));
    const every3 = nextDue(
      state({
        rule: 'FREQ=DAILY;INTERVAL=3',
        mode: 'completion',
        completedAt: new Date('2024-03-12T15:00-04:00'),
      }),
    );
    expect(every3?.dueAt).toEqual(new Date('2024-03-15T09:00-04:00'));
  });

  it('completion mode: the local day is the task zone’s, not UTC’s', () => {
    // 23:30 on the 12th in New York is already the 13th in UTC.
    const next = nextDue(state({ mode: 'completion', completedAt: new Date('2024-03-12T23:30-04:00') }));
    expect(next?.dueAt).toEqual(new Date('2024-03-13T09:00-04:00'));
  });

  it('remembers a 02:30 pushed to 03:30 by the gap, so the next day is 02:30 again', () => {
    const gapDay = state({ dueAt: new Date('2024-03-10T03:30-04:00'), dueLocal: '2024-03-10T02:30:00' });
    expect(nextDue(gapDay)?.dueAt).toEqual(new Date('2024-03-11T02:30-04:00'));
    // Without the memory (or once the user moved the due date) the due date's own time is the intent.
    expect(nextDue({ ...gapDay, dueLocal: null })?.dueAt).toEqual(new Date('2024-03-11T03:30-04:00'));
    expect(nextDue({ ...gapDay, dueLocal: '2024-03-01T02:30:00' })?.dueAt).toEqual(
      new Date('2024-03-11T03:30-04:00'),
    );
  });

  it('COUNT counts from the series start: occurrence 3 of COUNT=3 is the last', () => {
    const rule = 'FREQ=DAILY;COUNT=3';
    expect(nextDue(state({ rule, occurrenceNumber: 2 }))?.occurrenceNumber).toBe(3);
    expect(nextDue(state({ rule, occurrenceNumber: 3 }))).toBeNull();
  });

  it('UNTIL ends the series', () => {
    const rule = 'FREQ=DAILY;UNTIL=20240310T130000Z';
    expect(nextDue(state({ rule }))?.dueAt).toEqual(new Date('2024-03-10T13:00Z'));
    expect(nextDue(state({ rule, dueAt: new Date('2024-03-10T09:00-04:00') }))).toBeNull();
  });

  it('upcomingDues numbers the occurrences it projects', () => {
    const rule = 'FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4';
    const got = upcomingDues(state({ rule, dueAt: new Date('2024-01-31T09:00-05:00') }), 10);
    expect(got.map((o) => [o.dueLocal, o.occurrenceNumber])).toEqual([
      ['2024-03-31T09:00:00', 2],
      ['2024-05-31T09:00:00', 3],
      ['2024-07-31T09:00:00', 4],
    ]);
  });
});
