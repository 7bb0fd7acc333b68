import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/database.ts';
import { type TestUser, useTestApi } from '../testing/stack.ts';

const api = useTestApi();
const LONDON = 'Europe/London';
const NY = 'America/New_York';

/** The feed's path from the address the API hands out (any host: the gateway is called in-process). */
const feedPath = (url: string) => new URL(url).pathname;

async function createFeed(user: TestUser): Promise<string> {
  const res = await api.json('POST', '/api/v1/calendar-feed', { token: user.token });
  expect(res.status).toBe(201);
  return res.body.url;
}

/** GETs the public feed the way a calendar app does: no bearer token, optional extra headers. */
function fetchFeed(pathAndQuery: string, headers: Record<string, string> = {}) {
  return api.stack.app.fetch(new Request(`http://test.local${pathAndQuery}`, { headers }));
}

async function feedText(url: string, query = ''): Promise<string> {
  const res = await fetchFeed(`${feedPath(url)}${query}`);
  expect(res.status).toBe(200);
  return res.text();
}

async function createTask(user: TestUser, body: Record<string, unknown>) {
  const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; series_id: string | null; due_at: string };
}

const parse = (text: string) => new ICAL.Component(ICAL.parse(text));

function componentBySummary(text: string, summary: string, kind = 'vevent') {
  const found = parse(text)
    .getAllSubcomponents(kind)
    .filter((c) => c.getFirstPropertyValue('summary') === summary);
  expect(found, `${kind} "${summary}"`).toHaveLength(1);
  return found[0]!;
}

/** The first `n` instants ical.js expands from a component's DTSTART, RRULE and our VTIMEZONE. */
function icalOccurrences(component: ICAL.Component, n: number): string[] {
  const iterator = new ICAL.Event(component).iterator();
  const out: string[] = [];
  for (let next = iterator.next(); next && out.length < n; next = iterator.next())
    out.push(next.toJSDate().toISOString());
  return out;
}

/** Our expansion, through the series API: the open occurrence, then the ones the rule will create. */
async function ourOccurrences(user: TestUser, seriesId: string, n: number): Promise<string[]> {
  const res = await api.json('GET', `/api/v1/series/${seriesId}?upcoming=${n - 1}`, { token: user.token });
  expect(res.status).toBe(200);
  const open = res.body.occurrences.filter((o: { state: string }) => o.state === 'open');
  expect(open).toHaveLength(1);
  return [open[0].due_at, ...res.body.upcoming.map((u: { due_at: string }) => u.due_at)].map((d: string) =>
    new Date(d).toISOString(),
  );
}

describe('the feed address: create, see, regenerate, revoke', () => {
  it('GET is 404 until one is made; POST makes one; GET shows the same; the table holds only its hash', async () => {
    const user = await api.signUp();
    expect((await api.json('GET', '/api/v1/calendar-feed', { token: user.token })).status).toBe(404);
    const url = await createFeed(user);
    expect(url).toMatch(/^http:\/\/localhost:3000\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const shown = await api.json('GET', '/api/v1/calendar-feed', { token: user.token });
    expect(shown.status).toBe(200);
    expect(shown.body.url).toBe(url);
    expect(Date.parse(shown.body.created_at)).toBeGreaterThan(Date.now() - 60_000);
    const token = feedPath(url)
      .split('/')
      .at(-1)!
      .replace(/\.ics$/, '');
    const rows = await api.stack.db
      .selectFrom('calendar_feeds')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toContain(token);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('base64url'));
  });

  it('regenerating replaces the address: the old one is a 404 at once, the new one works', async () => {
    const user = await api.signUp();
    const first = await createFeed(user);
    expect((await fetchFeed(feedPath(first))).status).toBe(200);
    const second = await createFeed(user);
    const third = await createFeed(user);
    expect(new Set([first, second, third]).size).toBe(3);
    for (const old of [first, second]) expect((await fetchFeed(feedPath(old))).status).toBe(404);
    expect((await fetchFeed(feedPath(third))).status).toBe(200);
    expect((await api.json('GET', '/api/v1/calendar-feed', { token: user.token })).body.url).toBe(third);
  });

  it('DELETE revokes it (204, and 204 again); the address is a 404 and GET says there is none', async () => {
    const user = await api.signUp();
    const url = await createFeed(user);
    expect((await api.call('DELETE', '/api/v1/calendar-feed', { token: user.token })).status).toBe(204);
    expect((await api.call('DELETE', '/api/v1/calendar-feed', { token: user.token })).status).toBe(204);
    expect((await fetchFeed(feedPath(url))).status).toBe(404);
    expect((await api.json('GET', '/api/v1/calendar-feed', { token: user.token })).status).toBe(404);
  });

  it('managing the address needs a bearer token; the feed itself does not', async () => {
    for (const method of ['GET', 'POST', 'DELETE'])
      expect((await api.call(method, '/api/v1/calendar-feed')).status, method).toBe(401);
  });
});

describe('the public feed', () => {
  let alice: TestUser;
  let bob: TestUser;
  let aliceUrl: string;
  let bobUrl: string;

  beforeAll(async () => {
    alice = await api.signUp();
    bob = await api.signUp();
    await createTask(alice, { title: 'Alice secret', due_at: '2030-01-05T09:00:00Z', time_zone: LONDON });
    await createTask(bob, { title: 'Bob dentist', due_at: '2030-01-06T10:00:00Z', time_zone: LONDON });
    aliceUrl = await createFeed(alice);
    bobUrl = await createFeed(bob);
  });

  it('is text/calendar, privately cacheable for 5 minutes, with a strong ETag', async () => {
    const res = await fetchFeed(feedPath(aliceUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const text = await res.text();
    expect(
      text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Todo//Calendar feed 1.0//EN\r\n'),
    ).toBe(true);
    expect(text).toContain('X-WR-CALNAME:Todo\r\n');
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it("another user's token never shows your tasks, and their revoking leaves your address alone", async () => {
    const bobs = await feedText(bobUrl);
    expect(bobs).toContain('SUMMARY:Bob dentist');
    expect(bobs).not.toContain('Alice');
    const alices = await feedText(aliceUrl);
    expect(alices).toContain('SUMMARY:Alice secret');
    expect(alices).not.toContain('Bob');
    const other = await api.signUp();
    expect((await api.call('DELETE', '/api/v1/calendar-feed', { token: other.token })).status).toBe(204);
    expect((await fetchFeed(feedPath(aliceUrl))).status).toBe(200);
  });

  it('an unknown token, a malformed one and a revoked one get the same 404 problem', async () => {
    const user = await api.signUp();
    const revoked = await createFeed(user);
    await api.call('DELETE', '/api/v1/calendar-feed', { token: user.token });
    const answers = [];
    for (const path of [
      feedPath(revoked),
      `/api/v1/calendar/${'A'.repeat(43)}.ics`,
      '/api/v1/calendar/not-a-token',
      `/api/v1/calendar/${feedPath(aliceUrl).split('/').at(-1)!.replace('.ics', '')}`,
    ]) {
      const res = await fetchFeed(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      answers.push(JSON.stringify({ ...(await res.json()), instance: null }));
    }
    expect(new Set(answers).size).toBe(1);
  });

  it('If-None-Match with the ETag is a 304 without a body, until a task changes', async () => {
    const first = await fetchFeed(feedPath(aliceUrl));
    const etag = first.headers.get('etag')!;
    const again = await fetchFeed(feedPath(aliceUrl), { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('private, max-age=300');
    // A weak form of the same tag and a list holding it match too; another tag does not.
    expect((await fetchFeed(feedPath(aliceUrl), { 'if-none-match': `"x", W/${etag}` })).status).toBe(304);
    expect((await fetchFeed(feedPath(aliceUrl), { 'if-none-match': '"other"' })).status).toBe(200);
    await createTask(alice, { title: 'Alice later', due_at: '2030-02-01T09:00:00Z', time_zone: LONDON });
    const changed = await fetchFeed(feedPath(aliceUrl), { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('limits fetches per client IP (429 with Retry-After), counting unknown tokens too', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.77' };
    for (let i = 0; i < 60; i++) {
      const res = await fetchFeed(i % 2 ? feedPath(bobUrl) : '/api/v1/calendar/unknown.ics', ip);
      expect(res.status).not.toBe(429);
    }
    const limited = await fetchFeed(feedPath(bobUrl), ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await fetchFeed(feedPath(bobUrl), { 'x-forwarded-for': '203.0.113.78' })).status).toBe(200);
  });
});

describe('what the feed holds (parsed by ical.js)', () => {
  it('open tasks with a due date only: done tasks and undated ones are left out', async () => {
    const user = await api.signUp();
    const done = await createTask(user, { title: 'Finished', due_at: '2030-03-01T09:00:00Z' });
    await api.call('POST', `/api/v1/tasks/${done.id}/complete`, { token: user.token });
    await createTask(user, { title: 'Someday' });
    const doing = await createTask(user, {
      title: 'Doing',
      due_at: '2030-03-02T09:00:00Z',
      priority: 'high',
    });
    await api.json('PATCH', `/api/v1/tasks/${doing.id}`, {
      token: user.token,
      body: { status: 'in_progress' },
    });
    const text = await feedText(await createFeed(user));
    const summaries = parse(text)
      .getAllSubcomponents('vevent')
      .map((e) => e.getFirstPropertyValue('summary'));
    expect(summaries).toEqual(['Doing']);
    const event = componentBySummary(text, 'Doing');
    expect(event.getFirstPropertyValue('uid')).toBe(`task-${doing.id}@localhost`);
    expect(event.getFirstPropertyValue('priority')).toBe(1);
    expect(event.getFirstPropertyValue('transp')).toBe('TRANSPARENT');
    expect(event.getFirstPropertyValue('url')).toBe(`http://localhost:3000/tasks/${doing.id}`);
    expect(new ICAL.Event(event).startDate.toJSDate().toISOString()).toBe('2030-03-02T09:00:00.000Z');
    expect(new ICAL.Event(event).duration.toSeconds()).toBe(15 * 60);
    // ?type=todo: the same task as a VTODO, due at the same instant, in progress.
    const todos = await feedText(await createFeed(user), '?type=todo');
    const todo = componentBySummary(todos, 'Doing', 'vtodo');
    expect(todo.getFirstPropertyValue('status')).toBe('IN-PROCESS');
    expect((todo.getFirstPropertyValue('due') as ICAL.Time).toJSDate().toISOString()).toBe(
      '2030-03-02T09:00:00.000Z',
    );
    expect(parse(todos).getAllSubcomponents('vevent')).toEqual([]);
  });

  it('a long title with commas, semicolons, backslashes, newlines and emoji: folded on octets, read back exactly', async () => {
    const user = await api.signUp();
    const title = `Call Zoë, Ana; bring C:\\docs 📎🎂 — ${'🎉 party, cake; '.repeat(12)}end`;
    const description = 'line one\nline two, with; punctuation\\ 🧁';
    await createTask(user, {
      title,
      description,
      due_at: '2030-04-01T09:00:00Z',
      tags: ['home, garden', 'party;time'],
    });
    const text = await feedText(await createFeed(user));
    expect(text.split('\r\n').slice(0, -1).join('')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) {
      expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
      expect(line).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    const event = componentBySummary(text, title);
    expect(event.getFirstPropertyValue('description')).toBe(description);
    expect(event.getFirstProperty('categories')!.getValues()).toEqual(['home, garden', 'party;time']);
  });

  it('a recurring task across a DST change: once, with its RRULE and VTIMEZONE, and ical.js expands the instants our series does', async () => {
    const user = await api.signUp();
    // Daily 09:00 in London from Thursday 27 March 2025; British Summer Time starts on Sunday the 30th.
    const first = await createTask(user, {
      title: 'Standup',
      due_at: '2025-03-27T09:00:00Z',
      time_zone: LONDON,
      recurrence: { rule: 'FREQ=DAILY;COUNT=8' },
    });
    await api.call('POST', `/api/v1/tasks/${first.id}/complete`, { token: user.token });
    await api.settle();
    await eventually('the next occurrence', async () => {
      const list = await api.json('GET', `/api/v1/tasks?series_id=${first.series_id}`, { token: user.token });
      return list.body.items.length === 2;
    });
    const text = await feedText(await createFeed(user));
    const event = componentBySummary(text, 'Standup');
    expect(event.getFirstPropertyValue('uid')).toBe(`series-${first.series_id}@localhost`);
    expect(event.getFirstProperty('dtstart')!.getParameter('tzid')).toBe(LONDON);
    // The series from its open occurrence (the 2nd of 8): 7 left.
    expect(String(event.getFirstPropertyValue('rrule'))).toBe('FREQ=DAILY;COUNT=7');
    expect(
      parse(text)
        .getAllSubcomponents('vtimezone')
        .map((z) => z.getFirstPropertyValue('tzid')),
    ).toEqual([LONDON]);
    const ical = icalOccurrences(event, 20);
    expect(ical).toHaveLength(7);
    expect(ical).toEqual(await ourOccurrences(user, first.series_id!, 7));
    expect(ical.slice(0, 4)).toEqual([
      '2025-03-28T09:00:00.000Z',
      '2025-03-29T09:00:00.000Z',
      '2025-03-30T08:00:00.000Z',
      '2025-03-31T08:00:00.000Z',
    ]);
  });

  it.each([
    [
      'weekly in New York over the November change, UNTIL a local time',
      NY,
      '2030-10-28T12:30:00Z',
      'FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20301120T083000',
      10,
    ],
    [
      'monthly on the last Sunday in Sydney over April and October',
      'Australia/Sydney',
      '2030-03-30T22:00:00Z',
      'FREQ=MONTHLY;BYDAY=-1SU',
      9,
    ],
    [
      'every 6 hours in London over the March change',
      LONDON,
      '2031-03-29T00:00:00Z',
      'FREQ=HOURLY;INTERVAL=6',
      12,
    ],
    [
      'every hour in London through the skipped hour of March',
      LONDON,
      '2031-03-29T22:00:00Z',
      'FREQ=HOURLY',
      8,
    ],
  ])('%s: ical.js and our series agree', async (_name, zone, due, rule, n) => {
    const user = await api.signUp();
    const task = await createTask(user, {
      title: 'Repeat',
      due_at: due,
      time_zone: zone,
      recurrence: { rule },
    });
    const text = await feedText(await createFeed(user));
    const event = componentBySummary(text, 'Repeat');
    const ours = await ourOccurrences(user, task.series_id!, n);
    expect(icalOccurrences(event, n)).toEqual(ours);
  });

  /**
   * A wall time in the skipped hour, or in the repeated one, is where RFC 5545 §3.3.5 decides the instant:
   * a skipped 02:30 takes the offset before the gap (03:30 EDT), a repeated 01:30 is the first (EDT) — as
   * our series does. ical.js 2.2 does neither (Timezone.utcOffset: `want_daylight = false; // TODO`): it
   * reads both with the other offset. So on that one day the two differ by the shift, while ical.js reads
   * the same wall-clock time from the feed; every other day agrees.
   */
  it.each([
    ['daily at 02:30 through the skipped hour of March', '2031-03-07T07:30:00Z', 'FREQ=DAILY', 2, '02:30'],
    [
      'every other day at 01:30 into the repeated hour of November',
      '2030-10-30T05:30:00Z',
      'FREQ=DAILY;INTERVAL=2',
      2,
      '01:30',
    ],
  ])(
    '%s in New York: the same wall time, read by ical.js against RFC 5545 on that day only',
    async (_name, due, rule, day, hhmm) => {
      const user = await api.signUp();
      const task = await createTask(user, {
        title: 'Edge',
        due_at: due,
        time_zone: NY,
        recurrence: { rule },
      });
      const event = componentBySummary(await feedText(await createFeed(user)), 'Edge');
      const ours = await ourOccurrences(user, task.series_id!, 6);
      const ical = icalOccurrences(event, 6);
      for (const i of [0, 1, 2, 3, 4, 5].filter((i) => i !== day))
        expect(ical[i], `occurrence ${i}`).toBe(ours[i]);
      expect(Math.abs(Date.parse(ical[day]!) - Date.parse(ours[day]!))).toBe(3_600_000);
      const iterator = new ICAL.Event(event).iterator();
      for (let i = 0; i < day; i++) iterator.next();
      expect(iterator.next()!.toString().slice(11, 16)).toBe(hhmm);
    },
  );

  it('a one-off task in the repeated hour is written in UTC, so no client can take the other 01:30', async () => {
    const user = await api.signUp();
    await createTask(user, { title: 'First 01:30', due_at: '2030-11-03T05:30:00Z', time_zone: NY });
    await createTask(user, { title: 'Second 01:30', due_at: '2030-11-03T06:30:00Z', time_zone: NY });
    await createTask(user, { title: 'Noon', due_at: '2030-11-03T17:00:00Z', time_zone: NY });
    const text = await feedText(await createFeed(user));
    const start = (summary: string) => new ICAL.Event(componentBySummary(text, summary)).startDate;
    expect(start('First 01:30').toJSDate().toISOString()).toBe('2030-11-03T05:30:00.000Z');
    expect(start('Second 01:30').toJSDate().toISOString()).toBe('2030-11-03T06:30:00.000Z');
    expect(start('First 01:30').zone?.tzid).toBe('UTC');
    expect(start('Noon').zone?.tzid).toBe(NY);
    expect(start('Noon').toJSDate().toISOString()).toBe('2030-11-03T17:00:00.000Z');
  });

  it('a series appears once however many occurrences exist; done ones are not in it', async () => {
    const user = await api.signUp();
    const first = await createTask(user, {
      title: 'Water plants',
      due_at: '2030-05-01T08:00:00Z',
      recurrence: { rule: 'FREQ=DAILY' },
    });
    let open = first.id;
    for (let i = 2; i <= 4; i++) {
      await api.call('POST', `/api/v1/tasks/${open}/complete`, { token: user.token });
      await api.settle();
      open = await eventually(`occurrence ${i}`, async () => {
        const list = await api.json('GET', `/api/v1/tasks?series_id=${first.series_id}&status=todo`, {
          token: user.token,
        });
        return list.body.items.length === 1 ? (list.body.items[0].id as string) : undefined;
      });
    }
    const text = await feedText(await createFeed(user));
    const events = parse(text).getAllSubcomponents('vevent');
    expect(events).toHaveLength(1);
    expect(new ICAL.Event(events[0]!).startDate.toJSDate().toISOString()).toBe('2030-05-04T08:00:00.000Z');
  });
});
