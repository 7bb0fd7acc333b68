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

describe('nextDue: FREQ=HOURLY', () => {
  const hourly = (s: Partial<OccurrenceState>) => state({ rule: 'FREQ=HOURLY', ...s });
  const chain = (first: OccurrenceState, n: number) => {
    const out: string[] = [];
    let s = first;
    for (let i = 0; i < n; i++) {
      const next = nextDue(s)!;
      out.push(`${next.dueAt.toISOString().slice(11, 16)}Z ${next.dueLocal.slice(11, 16)}`);
      s = { ...s, dueAt: next.dueAt, dueLocal: next.dueLocal, occurrenceNumber: next.occurrenceNumber };
    }
    return out;
  };

  it('spring-forward: 02:00 is read as 03:00 EDT, and the 03:00 that is the same instant is not a second task', () => {
    // 00:00 EST, 01:00 EST, then "02:00" (does not exist: 03:00 EDT, remembered as 02:00), then 04:00 EDT.
    expect(chain(hourly({ dueAt: new Date('2024-03-10T00:00-05:00') }), 3)).toEqual([
      '06:00Z 01:00',
      '07:00Z 02:00',
      '08:00Z 04:00',
    ]);
    // Every 2 hours keeps its even-hour phase through the gap: 00, 02 (= 03:00 EDT), 04, 06.
    expect(
      chain(hourly({ rule: 'FREQ=HOURLY;INTERVAL=2', dueAt: new Date('2024-03-10T00:00-05:00') }), 3),
    ).toEqual(['07:00Z 02:00', '08:00Z 04:00', '10:00Z 06:00']);
  });

  it('fall-back: 01:00 is the first (EDT) one and the repeated hour is not expanded again', () => {
    expect(chain(hourly({ dueAt: new Date('2024-11-03T00:00-04:00') }), 3)).toEqual([
      '05:00Z 01:00',
      '07:00Z 02:00', // two real hours later: the second 01:00 (EST) is the same local time
      '08:00Z 03:00',
    ]);
  });

  it('completion mode: restarts in the local hour of completion at the rule’s minute', () => {
    const dose = hourly({
      rule: 'FREQ=HOURLY;INTERVAL=4',
      mode: 'completion',
      dueAt: new Date('2024-06-01T08:00-04:00'),
    });
    const at = (done: string) => nextDue({ ...dose, completedAt: new Date(done) })?.dueLocal;
    expect(at('2024-06-01T09:10-04:00')).toBe('2024-06-01T13:00:00'); // late: 09:00 + 4 h
    expect(at('2024-06-01T07:30-04:00')).toBe('2024-06-01T11:00:00'); // early: 07:00 + 4 h
    expect(at('2024-06-01T22:59-04:00')).toBe('2024-06-02T02:00:00');
    // Schedule mode ignores the completion: 08:00 + 4 h.
    expect(
      nextDue({ ...dose, mode: 'schedule', completedAt: new Date('2024-06-01T09:10-04:00') })?.dueLocal,
    ).toBe('2024-06-01T12:00:00');
  });

  it('completion mode: "every hour from 08:00 to 20:00" done after 20:00 is next due at 08:00', () => {
    const rule = 'FREQ=HOURLY;BYHOUR=8,9,10,11,12,13,14,15,16,17,18,19,20';
    const evening = hourly({ rule, mode: 'completion', dueAt: new Date('2024-06-01T20:00-04:00') });
    expect(nextDue({ ...evening, completedAt: new Date('2024-06-01T21:30-04:00') })?.dueLocal).toBe(
      '2024-06-02T08:00:00',
    );
  });

  it('completion mode: keeps the rule’s phase when the completion’s hour could never reach its hours', () => {
    const rule = 'FREQ=HOURLY;INTERVAL=2;BYHOUR=8,10,12,14';
    const ten = hourly({ rule, mode: 'completion', dueAt: new Date('2024-06-01T10:00-04:00') });
    // Restarting at 13:00 would reach only odd hours: the series would end. 14:00 follows instead.
    expect(nextDue({ ...ten, completedAt: new Date('2024-06-01T13:30-04:00') })?.dueLocal).toBe(
      '2024-06-01T14:00:00',
    );
    expect(nextDue({ ...ten, completedAt: new Date('2024-06-01T12:30-04:00') })?.dueLocal).toBe(
      '2024-06-01T14:00:00',
    );
  });

  it('completion mode: done in the repeated hour (01:30 EST) continues at 02:00 EST', () => {
    const first = hourly({ mode: 'completion', dueAt: new Date('2024-11-03T00:00-04:00') });
    const next = nextDue({ ...first, completedAt: new Date('2024-11-03T01:30-05:00') });
    expect(next?.dueAt).toEqual(new Date('2024-11-03T02:00-05:00'));
  });

  it('COUNT and UNTIL end an hourly series', () => {
    expect(nextDue(hourly({ rule: 'FREQ=HOURLY;COUNT=3', occurrenceNumber: 2 }))?.occurrenceNumber).toBe(3);
    expect(nextDue(hourly({ rule: 'FREQ=HOURLY;COUNT=3', occurrenceNumber: 3 }))).toBeNull();
    const until = hourly({ rule: 'FREQ=HOURLY;INTERVAL=2;UNTIL=20240309T160000Z' });
    expect(nextDue(until)?.dueAt).toEqual(new Date('2024-03-09T11:00-05:00'));
    expect(nextDue({ ...until, dueAt: new Date('2024-03-09T11:00-05:00') })).toBeNull();
  });
});
