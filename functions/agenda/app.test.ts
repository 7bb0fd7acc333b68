import { agendaToday, agendaUpcoming } from '@todo/core/tasks/agenda';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type TestUser, useTestApi } from '../testing/stack.ts';

const api = useTestApi();
const LA = 'America/Los_Angeles';

const addTask = async (user: TestUser, body: Record<string, unknown>) => {
  const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; series_id: string | null; title: string };
};

const get = (user: TestUser, path: string) => api.json('GET', path, { token: user.token });

const signUpIn = async (zone: string): Promise<TestUser> => {
  const user = await api.signUp();
  await api.stack.db.updateTable('users').set({ time_zone: zone }).where('id', '=', user.id).execute();
  return user;
};

const titles = (tasks: { title: string }[]) => tasks.map((t) => t.title);

/**
 * A zone whose calendar day differs from UTC's right now, as far from its midnight as the candidates
 * allow (at least half an hour at any time of day), so "today" cannot change under the test.
 */
function zoneWhereTodayIsNotUtcToday(): string {
  const now = DateTime.utc();
  const candidates = [
    'Pacific/Kiritimati',
    'Pacific/Auckland',
    'Asia/Tokyo',
    'America/Los_Angeles',
    'Pacific/Honolulu',
    'Pacific/Pago_Pago',
  ].filter((zone) => now.setZone(zone).toISODate() !== now.toISODate());
  const margin = (zone: string) => {
    const local = now.setZone(zone);
    const minutes = local.hour * 60 + local.minute;
    return Math.min(minutes, 24 * 60 - minutes);
  };
  return candidates.sort((a, b) => margin(b) - margin(a))[0]!;
}

describe('GET /api/v1/agenda/today', () => {
  it("splits the caller's open tasks into overdue and today by the calendar day of their zone", async () => {
    const zone = zoneWhereTodayIsNotUtcToday();
    const user = await signUpIn(zone);
    const other = await api.signUp();
    const today = DateTime.now().setZone(zone).startOf('day');
    // Near both midnights of the zone's today: UTC would put several of these on another day.
    await addTask(user, { title: 'Last week', due_at: today.minus({ days: 6 }).plus({ hours: 9 }).toISO() });
    await addTask(user, { title: 'Late last night', due_at: today.minus({ minutes: 1 }).toISO() });
    await addTask(user, { title: 'Just after midnight', due_at: today.plus({ minutes: 1 }).toISO() });
    await addTask(user, {
      title: 'Before midnight',
      due_at: today.plus({ days: 1 }).minus({ minutes: 1 }).toISO(),
    });
    await addTask(user, { title: 'Tomorrow', due_at: today.plus({ days: 1, minutes: 1 }).toISO() });
    await addTask(user, { title: 'Done today', due_at: today.plus({ hours: 1 }).toISO(), status: 'done' });
    await addTask(user, { title: 'Done long ago', due_at: today.minus({ days: 3 }).toISO(), status: 'done' });
    await addTask(user, {
      title: 'Started',
      due_at: today.plus({ hours: 2 }).toISO(),
      status: 'in_progress',
    });
    await addTask(user, { title: 'Someday' });
    await addTask(other, { title: 'Not yours', due_at: today.plus({ hours: 3 }).toISO() });
    await addTask(other, { title: 'Not yours either', due_at: today.minus({ days: 1 }).toISO() });

    const res = await get(user, '/api/v1/agenda/today');
    expect(res.status).toBe(200);
    expect(res.body.date).toBe(today.toISODate());
    expect(res.body.date).not.toBe(DateTime.utc().toISODate());
    expect(res.body.time_zone).toBe(zone);
    expect(titles(res.body.overdue)).toEqual(['Last week', 'Late last night']);
    expect(titles(res.body.today)).toEqual(['Just after midnight', 'Started', 'Before midnight']);
    expect(res.body.truncated).toBe(false);
    // The tasks are the API's task JSON, tags included, as listTasks returns them.
    const listed = await get(user, '/api/v1/tasks?sort_by=due_date&status=todo,in_progress&limit=200');
    const started = listed.body.items.find((t: any) => t.title === 'Started');
    expect(res.body.today[1]).toEqual(started);

    // Another user sees only their own.
    const theirs = await get(other, `/api/v1/agenda/today?time_zone=${encodeURIComponent(zone)}`);
    expect(titles(theirs.body.overdue)).toEqual(['Not yours either']);
    expect(titles(theirs.body.today)).toEqual(['Not yours']);
  });

  it('reads the day in ?time_zone= when given, and refuses one that is not an IANA zone', async () => {
    const user = await signUpIn('Pacific/Kiritimati');
    const res = await get(user, '/api/v1/agenda/today?time_zone=Pacific/Pago_Pago');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      time_zone: 'Pacific/Pago_Pago',
      date: DateTime.now().setZone('Pacific/Pago_Pago').toISODate(),
    });
    const bad = await get(user, '/api/v1/agenda/today?time_zone=Mars/Olympus');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.time_zone');
    expect((await get(user, '/api/v1/agenda/today?colour=red')).status).toBe(400);
    expect((await api.json('GET', '/api/v1/agenda/today')).status).toBe(401);
  });

  it('puts the midnights where the zone has them (fixed now, Los Angeles, a day behind UTC)', async () => {
    const user = await signUpIn(LA);
    // 22:30 on Monday 14 January in Los Angeles is already 06:30 on the 15th in UTC.
    const now = new Date('2030-01-15T06:30:00Z');
    await addTask(user, { title: 'Thursday', due_at: '2030-01-10T09:00:00-08:00' });
    await addTask(user, { title: 'Sunday 23:59', due_at: '2030-01-13T23:59:00-08:00' });
    await addTask(user, { title: 'Monday 00:00', due_at: '2030-01-14T00:00:00-08:00' });
    await addTask(user, { title: 'Monday 23:59', due_at: '2030-01-14T23:59:00-08:00' });
    await addTask(user, { title: 'Tuesday 00:00', due_at: '2030-01-15T00:00:00-08:00' });

    const la = await agendaToday(api.stack.db, user.id, LA, now);
    expect(la.date).toBe('2030-01-14');
    expect(titles(la.overdue)).toEqual(['Thursday', 'Sunday 23:59']);
    expect(titles(la.today)).toEqual(['Monday 00:00', 'Monday 23:59']);

    const utc = await agendaToday(api.stack.db, user.id, 'UTC', now);
    expect(utc.date).toBe('2030-01-15');
    expect(titles(utc.overdue)).toEqual(['Thursday', 'Sunday 23:59', 'Monday 00:00']);
    expect(titles(utc.today)).toEqual(['Monday 23:59', 'Tuesday 00:00']);
  });
});

type Day = { date: string; tasks: { title: string; id: string }[]; occurrences: any[] };

const occurrenceTimes = (days: Day[]) =>
  days.flatMap((d) => d.occurrences.map((o) => [d.date, o.due_at, o.due_local]));

describe('GET /api/v1/agenda/upcoming', () => {
  it('lists every day with its open tasks and the occurrences of a daily rule not created yet', async () => {
    const user = await signUpIn(LA);
    const other = await signUpIn(LA);
    const now = new Date('2030-01-15T06:30:00Z'); // Monday 14 January, 22:30 in Los Angeles
    const standup = await addTask(user, {
      title: 'Standup',
      priority: 'high',
      tags: ['work'],
      due_at: '2030-01-14T09:00:00-08:00',
      time_zone: LA,
      recurrence: { rule: 'FREQ=DAILY' },
    });
    await addTask(user, { title: 'Dentist', due_at: '2030-01-16T15:00:00-08:00' });
    await addTask(user, { title: 'Done already', due_at: '2030-01-16T16:00:00-08:00', status: 'done' });
    await addTask(user, { title: 'Past the week', due_at: '2030-01-21T00:00:00-08:00' });
    await addTask(other, { title: 'Theirs', due_at: '2030-01-16T10:00:00-08:00' });
    await addTask(other, {
      title: 'Their daily',
      due_at: '2030-01-14T08:00:00-08:00',
      recurrence: { rule: 'FREQ=DAILY' },
    });

    const week = await agendaUpcoming(api.stack.db, user.id, LA, 7, now);
    expect(week.time_zone).toBe(LA);
    expect(week.days.map((d) => d.date)).toEqual([
      '2030-01-14',
      '2030-01-15',
      '2030-01-16',
      '2030-01-17',
      '2030-01-18',
      '2030-01-19',
      '2030-01-20',
    ]);
    expect(week.days.map((d) => titles(d.tasks))).toEqual([['Standup'], [], ['Dentist'], [], [], [], []]);
    // The 15th to the 20th, 09:00 in Los Angeles each day (the 14th is the stored task).
    expect(occurrenceTimes(week.days)).toEqual(
      [15, 16, 17, 18, 19, 20].map((d) => [
        `2030-01-${d}`,
        `2030-01-${d}T17:00:00.000Z`,
        `2030-01-${d}T09:00:00`,
      ]),
    );
    expect(week.days[1]!.occurrences[0]).toEqual({
      series_id: standup.series_id,
      task_id: standup.id,
      title: 'Standup',
      priority: 'high',
      tags: [expect.objectContaining({ name: 'work' })],
      due_at: '2030-01-15T17:00:00.000Z',
      due_local: '2030-01-15T09:00:00',
      time_zone: LA,
    });
    expect(week.truncated).toBe(false);
    expect(JSON.stringify(week)).not.toMatch(/Theirs|Their daily/);

    // Completed: the next occurrence (the 15th) is a task now, listed once, as the task.
    expect(
      (await api.json('POST', `/api/v1/tasks/${standup.id}/complete`, { token: user.token })).status,
    ).toBe(200);
    await api.settle();
    const after = await agendaUpcoming(api.stack.db, user.id, LA, 7, now);
    expect(after.days.map((d) => titles(d.tasks))).toEqual([[], ['Standup'], ['Dentist'], [], [], [], []]);
    expect(after.days[1]!.occurrences).toEqual([]);
    const next = after.days[1]!.tasks[0]!;
    expect(next.id).not.toBe(standup.id);
    expect(occurrenceTimes(after.days).map(([date]) => date)).toEqual([
      '2030-01-16',
      '2030-01-17',
      '2030-01-18',
      '2030-01-19',
      '2030-01-20',
    ]);
    expect(after.days[2]!.occurrences[0]!.task_id).toBe(next.id);
  });

  it('projects wall-clock times across DST, from an overdue occurrence, and stops where COUNT does', async () => {
    const user = await signUpIn(LA);
    // Friday 8 March 2030, noon in Los Angeles; the clocks go forward on Sunday the 10th.
    const now = new Date('2030-03-08T20:00:00Z');
    await addTask(user, {
      title: 'Pills',
      due_at: '2030-01-01T08:00:00-08:00', // two months overdue, still open
      time_zone: LA,
      recurrence: { rule: 'FREQ=DAILY' },
    });
    await addTask(user, {
      title: 'Course',
      due_at: '2030-03-07T18:00:00-08:00',
      time_zone: LA,
      recurrence: { rule: 'FREQ=DAILY;COUNT=4' }, // the 7th (stored), 8th, 9th and 10th
    });
    const res = await agendaUpcoming(api.stack.db, user.id, LA, 4, now);
    const pills = res.days.map((d) => d.occurrences.filter((o) => o.title === 'Pills'));
    expect(pills.map((o) => o.map((x) => [x.due_at, x.due_local]))).toEqual([
      [['2030-03-08T16:00:00.000Z', '2030-03-08T08:00:00']],
      [['2030-03-09T16:00:00.000Z', '2030-03-09T08:00:00']],
      [['2030-03-10T15:00:00.000Z', '2030-03-10T08:00:00']], // PDT from here: 08:00 is 15:00 UTC
      [['2030-03-11T15:00:00.000Z', '2030-03-11T08:00:00']],
    ]);
    const course = res.days.flatMap((d) => d.occurrences.filter((o) => o.title === 'Course'));
    expect(course.map((o) => o.due_local)).toEqual([
      '2030-03-08T18:00:00',
      '2030-03-09T18:00:00',
      '2030-03-10T18:00:00',
    ]);
    // An overdue occurrence is Today's business, not Upcoming's.
    expect(res.days.flatMap((d) => titles(d.tasks))).toEqual([]);
  });

  it('caps the occurrences of a series and says so', async () => {
    const user = await signUpIn('UTC');
    await addTask(user, {
      title: 'Hourly',
      due_at: '2030-05-01T00:00:00Z',
      time_zone: 'UTC',
      recurrence: { rule: 'FREQ=HOURLY' },
    });
    const res = await agendaUpcoming(api.stack.db, user.id, 'UTC', 31, new Date('2030-05-01T12:00:00Z'));
    const all = res.days.flatMap((d) => d.occurrences);
    expect(all).toHaveLength(100);
    expect(all[0]!.due_at).toBe('2030-05-01T01:00:00.000Z');
    expect(res.truncated).toBe(true);
  });

  it('takes days from 1 to 31 (7 by default) starting today in the zone; anything else is a 400', async () => {
    const zone = zoneWhereTodayIsNotUtcToday();
    const user = await signUpIn(zone);
    const today = DateTime.now().setZone(zone).startOf('day');
    await addTask(user, { title: 'Tonight', due_at: today.plus({ days: 1 }).minus({ minutes: 1 }).toISO() });
    await addTask(user, {
      title: 'Daily',
      due_at: today.plus({ hours: 12 }).toISO(),
      time_zone: zone,
      recurrence: { rule: 'FREQ=DAILY' },
    });

    const week = await get(user, '/api/v1/agenda/upcoming');
    expect(week.status).toBe(200);
    expect(week.body.time_zone).toBe(zone);
    expect(week.body.days).toHaveLength(7);
    expect(week.body.days[0].date).toBe(today.toISODate());
    expect(week.body.days[0].tasks.map((t: any) => t.title).sort()).toEqual(['Daily', 'Tonight']);
    expect(week.body.days.slice(1).map((d: Day) => d.occurrences.length)).toEqual([1, 1, 1, 1, 1, 1]);

    const one = await get(user, '/api/v1/agenda/upcoming?days=1');
    expect(one.body.days).toHaveLength(1);
    expect(one.body.days[0].occurrences).toEqual([]);
    const month = await get(user, '/api/v1/agenda/upcoming?days=31');
    expect(month.body.days).toHaveLength(31);
    expect(month.body.days.at(-1).date).toBe(today.plus({ days: 30 }).toISODate());

    for (const days of ['0', '32', '-1', '2.5', 'seven']) {
      const bad = await get(user, `/api/v1/agenda/upcoming?days=${days}`);
      expect(bad.status, days).toBe(400);
      expect(bad.body.errors[0].field).toBe('query.days');
    }
    const utc = await get(user, '/api/v1/agenda/upcoming?days=2&time_zone=UTC');
    expect(utc.body.days.map((d: Day) => d.date)).toEqual([
      DateTime.utc().toISODate(),
      DateTime.utc().plus({ days: 1 }).toISODate(),
    ]);
    expect((await get(user, '/api/v1/agenda/upcoming?time_zone=Nowhere')).status).toBe(400);
  });
});
