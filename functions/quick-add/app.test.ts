import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

describe('quick-add', () => {
  it('previews a line in the given zone without saving anything', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/quick-add/parse', {
      token: user.token,
      body: {
        text: 'Pay rent every month on the 1st at 9am remind me 1 day before #bills !high',
        time_zone: 'Europe/London',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      title: 'Pay rent',
      time_zone: 'Europe/London',
      recurrence: { rule: 'FREQ=MONTHLY;BYMONTHDAY=1', mode: 'schedule' },
      reminders: [1440],
      tags: ['bills'],
      priority: 'high',
    });
    expect(res.body.due_at).toMatch(/-01T09:00:00(\+01:00|Z|\+00:00)$/);
    const tasks = await api.json('GET', '/api/v1/tasks', { token: user.token });
    expect(tasks.body.items).toEqual([]);
  });

  it("reads dates in the user's own zone when none is given", async () => {
    const res = await api.json('POST', '/api/v1/auth/signup', {
      body: {
        email: `tz${Date.now()}@example.com`,
        password: 'correct horse battery',
        time_zone: 'Asia/Kolkata',
      },
    });
    const parsed = await api.json('POST', '/api/v1/quick-add/parse', {
      token: res.body.token,
      body: { text: 'Call bob tomorrow 5pm' },
    });
    expect(parsed.body.time_zone).toBe('Asia/Kolkata');
    expect(parsed.body.due_at).toMatch(/T17:00:00\+05:30$/);
  });

  it('creates the parsed task, with its tags, repeat and reminders', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/quick-add', {
      token: user.token,
      body: {
        text: 'Standup every weekday at 8:45 remind me 10 min before #work p1',
        time_zone: 'America/New_York',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'Standup',
      priority: 'high',
      time_zone: 'America/New_York',
      recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', mode: 'schedule' },
      reminders: [10],
      tags: [{ name: 'work' }],
    });
    const stored = await api.json('GET', `/api/v1/tasks/${res.body.id}`, { token: user.token });
    expect(stored.body.title).toBe('Standup');
  });

  it('rejects empty text, a line with no title, a bad zone and unknown fields with 400s naming the field', async () => {
    const user = await api.signUp();
    const cases: [unknown, string][] = [
      [{ text: '' }, 'body.text'],
      [{ text: 'tomorrow 5pm #x' }, 'body.text'],
      [{ text: 'x', time_zone: 'Mars/Olympus' }, 'body.time_zone'],
      [{ text: 'x', when: 'now' }, 'body'],
    ];
    for (const [body, field] of cases) {
      const path =
        field === 'body.text' && (body as { text: string }).text
          ? '/api/v1/quick-add'
          : '/api/v1/quick-add/parse';
      const res = await api.json('POST', path, { token: user.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body.errors)).toContain(field);
    }
  });

  it('needs a token', async () => {
    expect((await api.json('POST', '/api/v1/quick-add/parse', { body: { text: 'x' } })).status).toBe(401);
  });
});
