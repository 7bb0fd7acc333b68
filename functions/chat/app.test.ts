import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@todo/core/runtime/config';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, useTestApi } from '../testing/stack.ts';
import { createChatApp } from './app.ts';

const api = useTestApi();

const chat = (user: TestUser, message: string, time_zone = 'UTC') =>
  api.json('POST', '/api/v1/chat', { token: user.token, body: { message, time_zone } });

const addTask = async (user: TestUser, body: Record<string, unknown>) =>
  (await api.json('POST', '/api/v1/tasks', { token: user.token, body })).body;

describe('chat without a model (offline commands)', () => {
  it('says what it can do', async () => {
    const user = await api.signUp();
    const res = await chat(user, 'help');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'offline', actions: [], changed: false });
    expect(res.body.reply).toMatch(/what's overdue/);
    expect(res.body.reply).toMatch(/OPENAI_BASE_URL/);
    const unknown = await chat(user, 'why is the sky blue?');
    expect(unknown.body.reply).toMatch(/didn't catch that/);
    expect(unknown.body.actions).toEqual([]);
  });

  it('quick-adds anything that is not a command', async () => {
    const user = await api.signUp();
    const res = await chat(
      user,
      'Pay rent every month on the 1st at 9am remind me 1 day before #bills !high',
      'Europe/Paris',
    );
    expect(res.body.reply).toMatch(/^Added "Pay rent" — due \w{3} 1 \w{3} 09:00/);
    expect(res.body.changed).toBe(true);
    expect(res.body.actions[0]).toMatchObject({
      tool: 'add_task',
      ok: true,
      result: {
        title: 'Pay rent',
        priority: 'high',
        reminders: [1440],
        recurrence: { rule: 'FREQ=MONTHLY;BYMONTHDAY=1' },
      },
    });
    const explicit = await chat(user, 'add: buy stamps tomorrow');
    expect(explicit.body.actions[0].result.title).toBe('buy stamps');
  });

  it('previews only what would become a task, by the same command table the turn uses', async () => {
    const user = await api.signUp();
    const preview = (message: string) =>
      api.json('POST', '/api/v1/chat/preview', { token: user.token, body: { message, time_zone: 'UTC' } });
    for (const command of [
      'skip standup',
      'check off laundry',
      "what's overdue?",
      'move dentist to friday',
      'help',
    ])
      expect((await preview(command)).body, command).toEqual({ kind: 'command' });
    const task = await preview('Pay overdue invoice friday !high');
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({
      kind: 'task',
      task: { title: 'Pay overdue invoice', priority: 'high' },
    });
    expect(
      await api.stack.db.selectFrom('tasks').select('id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    const empty = await preview('  ');
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toMatch(/message/);
  });

  it("answers what's overdue and what's due today or tomorrow, from the caller's tasks only", async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    // A fixed-offset zone where it is about noon now, so "today" never ends mid-test (at 23:59 UTC a
    // task due at 23:58 would already be overdue).
    const hoursAhead = 12 - DateTime.utc().hour; // −11 … +12
    const zone = hoursAhead === 0 ? 'UTC' : `Etc/GMT${hoursAhead > 0 ? '-' : '+'}${Math.abs(hoursAhead)}`;
    const ask = (message: string) => chat(user, message, zone);
    const today = DateTime.now().setZone(zone).startOf('day');
    await addTask(user, { title: 'Late report', due_at: today.minus({ days: 2 }).toISO() });
    await addTask(user, { title: 'Today thing', due_at: today.plus({ hours: 23, minutes: 58 }).toISO() });
    await addTask(user, { title: 'Tomorrow thing', due_at: today.plus({ days: 1, hours: 12 }).toISO() });
    await addTask(user, { title: 'Old but done', due_at: today.minus({ days: 3 }).toISO(), status: 'done' });
    await addTask(other, { title: 'Someone else late', due_at: today.minus({ days: 2 }).toISO() });

    const overdue = await ask("What's overdue?");
    expect(overdue.body.reply).toMatch(/^Overdue \(1\):\n• Late report — due .*overdue/);
    expect(overdue.body.changed).toBe(false);
    const due = await ask("what's due today?");
    expect(due.body.reply).toMatch(/^Due today \(1\):\n• Today thing/);
    const tomorrow = await ask('anything due tomorrow');
    expect(tomorrow.body.reply).toMatch(/^Due tomorrow \(1\):\n• Tomorrow thing/);
    const all = await ask('list my tasks');
    expect(all.body.reply).toMatch(/^Open tasks \(3\)/);
    const none = await chat(await api.signUp(), "what's overdue");
    expect(none.body.reply).toBe('Nothing is overdue.');
    expect((await ask('show overdue tasks')).body.reply).toMatch(/^Overdue \(1\)/);
    // A line that only mentions the word is a task to add, not a question.
    const invoice = await chat(user, 'Pay overdue invoice friday');
    expect(invoice.body.changed).toBe(true);
    expect(invoice.body.reply).not.toMatch(/^Overdue/);
  });

  it('answers "what\'s on today?" with the Today view and "what\'s coming up" with the Upcoming one', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    // As above: a fixed-offset zone where it is about noon now.
    const hoursAhead = 12 - DateTime.utc().hour;
    const zone = hoursAhead === 0 ? 'UTC' : `Etc/GMT${hoursAhead > 0 ? '-' : '+'}${Math.abs(hoursAhead)}`;
    const ask = (message: string) => chat(user, message, zone);
    const today = DateTime.now().setZone(zone).startOf('day');
    await addTask(user, { title: 'Late report', due_at: today.minus({ days: 2 }).toISO() });
    await addTask(user, { title: 'Today thing', due_at: today.plus({ hours: 18 }).toISO() });
    await addTask(user, { title: 'Tomorrow thing', due_at: today.plus({ days: 1, hours: 12 }).toISO() });
    await addTask(user, { title: 'Old but done', due_at: today.minus({ days: 1 }).toISO(), status: 'done' });
    await addTask(user, {
      title: 'Stretch',
      due_at: today.plus({ hours: 8 }).toISO(),
      time_zone: zone,
      recurrence: { rule: 'FREQ=DAILY' },
    });
    await addTask(other, { title: 'Someone else today', due_at: today.plus({ hours: 15 }).toISO() });

    for (const phrase of ["what's on today?", 'What do I have today', 'today', 'my day']) {
      const res = await ask(phrase);
      expect(res.body.reply, phrase).toMatch(
        /^Overdue \(1\):\n• Late report — due .*\nToday \(2\):\n• Stretch — due .* ↻\n• Today thing — due /,
      );
      expect(
        res.body.actions.map((a: any) => a.tool),
        phrase,
      ).toEqual(['today']);
      expect(res.body.changed).toBe(false);
      expect(res.body.reply).not.toMatch(/Someone else|Old but done|Tomorrow thing/);
    }
    for (const phrase of ["What's coming up?", 'upcoming', 'this week', 'what do I have this week']) {
      const res = await ask(phrase);
      expect(
        res.body.actions.map((a: any) => a.tool),
        phrase,
      ).toEqual(['upcoming']);
      const reply: string = res.body.reply;
      // Today: Stretch (stored) and Today thing; tomorrow: Tomorrow thing and Stretch's next occurrence;
      // then an occurrence of Stretch on each of the five days after.
      expect(reply, phrase).toMatch(
        /^Coming up in the next 7 days \(9\):\n\w{3} \d+ \w{3} \(today\):\n• 08:00 Stretch ↻\n• 18:00 Today thing\n/,
      );
      expect(reply).toMatch(/\(tomorrow\):\n• 08:00 Stretch ↻ \(repeats\)\n• 12:00 Tomorrow thing/);
      expect(reply.match(/Stretch ↻ \(repeats\)/g)).toHaveLength(6);
      expect(reply).not.toMatch(/Late report|Someone else/);
    }
    expect((await ask('next 3 days')).body.reply).toMatch(/^Coming up in the next 3 days \(5\):/);

    const empty = await api.signUp();
    expect((await chat(empty, "what's on today?")).body.reply).toBe(
      'Nothing is due today, and nothing is overdue.',
    );
    expect((await chat(empty, 'upcoming')).body.reply).toBe('Nothing is coming up in the next 7 days.');
    const preview = (message: string) =>
      api.json('POST', '/api/v1/chat/preview', { token: user.token, body: { message, time_zone: 'UTC' } });
    for (const phrase of ['today', 'this week', "what's coming up"])
      expect((await preview(phrase)).body, phrase).toEqual({ kind: 'command' });
  });

  it('moves the dentist to Friday keeping its time of day', async () => {
    const user = await api.signUp();
    const dentist = await addTask(user, {
      title: 'Dentist',
      due_at: DateTime.utc()
        .plus({ days: 1 })
        .set({ hour: 14, minute: 30, second: 0, millisecond: 0 })
        .toISO(),
    });
    const res = await chat(user, 'move the dentist to Friday');
    expect(res.body.reply).toMatch(/^Moved "Dentist" to Fri \d+ \w{3} 14:30/);
    const moved = DateTime.fromISO(res.body.actions.at(-1).result.due_at, { zone: 'UTC' });
    expect([moved.weekday, moved.hour, moved.minute]).toEqual([5, 14, 30]);
    expect(moved.toMillis()).toBeGreaterThan(Date.now());
    const stored = await api.json('GET', `/api/v1/tasks/${dentist.id}`, { token: user.token });
    expect(new Date(stored.body.due_at).getTime()).toBe(moved.toMillis());
    const bad = await chat(user, 'move the dentist to someday maybe');
    expect(bad.body.reply).toMatch(/couldn't read "someday maybe" as a date/);
  });

  it('completes, reopens and deletes by name; asks when several match; never touches another user', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    const laundry = await addTask(user, { title: 'Laundry' });
    await addTask(user, { title: 'Call mom' });
    await addTask(user, { title: 'Call dad' });
    await addTask(other, { title: 'Laundry' });

    const done = await chat(user, 'done with laundry');
    expect(done.body).toMatchObject({ reply: 'Done: "Laundry".', changed: true });
    expect((await api.json('GET', `/api/v1/tasks/${laundry.id}`, { token: user.token })).body.status).toBe(
      'done',
    );
    expect((await chat(user, 'reopen laundry')).body.reply).toBe('Reopened "Laundry".');
    expect((await chat(user, 'laundry is done')).body.reply).toBe('Done: "Laundry".');

    const ambiguous = await chat(user, 'done with call');
    expect(ambiguous.body.reply).toMatch(/^Several tasks match "call":\n• Call dad\n• Call mom\nWhich one/);
    expect(ambiguous.body.changed).toBe(false);
    expect((await chat(user, 'done with unicorns')).body.reply).toBe(
      'I couldn\'t find an open task matching "unicorns".',
    );

    const standup = await addTask(user, {
      title: 'Standup',
      due_at: DateTime.utc().plus({ hours: 2 }).toISO(),
      recurrence: { rule: 'FREQ=DAILY' },
    });
    expect((await chat(user, 'skip standup')).body.reply).toBe(
      'Skipped this "Standup"; the series moves on to the next one.',
    );
    expect((await api.json('GET', `/api/v1/tasks/${standup.id}`, { token: user.token })).body.status).toBe(
      'done',
    );
    expect((await chat(user, 'skip call dad')).body.reply).toBe(
      '"Call dad" does not repeat; there is nothing to skip.',
    );
    // Deleting is asked first; the "yes" is read against the conversation the client sends back.
    const ask = await chat(user, 'delete call mom');
    expect(ask.body.reply).toBe('Delete "Call mom"? Say "yes" to delete it, or anything else to keep it.');
    expect(ask.body.changed).toBe(false);
    const stillThere = await api.json('GET', '/api/v1/tasks?search=call%20mom', { token: user.token });
    expect(stillThere.body.items).toHaveLength(1);
    const yesAlone = await chat(user, 'yes');
    expect(yesAlone.body.reply).toMatch(/^There is nothing waiting for a yes/);
    const history = [
      { role: 'user', content: 'delete call mom' },
      { role: 'assistant', content: ask.body.reply },
    ];
    const yes = await api.json('POST', '/api/v1/chat', {
      token: user.token,
      body: { message: 'yes', time_zone: 'UTC', history },
    });
    expect(yes.body).toMatchObject({ reply: 'Deleted "Call mom".', changed: true });
    const gone = await api.json('GET', '/api/v1/tasks?search=call%20mom', { token: user.token });
    expect(gone.body.items).toEqual([]);
    const theirs = await api.json('GET', '/api/v1/tasks?search=laundry', { token: other.token });
    expect(theirs.body.items.map((t: any) => t.status)).toEqual(['todo']);
  });

  it('adds a subtask to a task by name, and says how many stay open when the task is done', async () => {
    const user = await api.signUp();
    const party = await addTask(user, { title: 'Plan the party' });
    const res = await chat(user, 'add subtask send invites to Bob to plan the party');
    expect(res.body).toMatchObject({
      reply: 'Added "send invites to Bob" under "Plan the party" (0/1 done).',
      changed: true,
    });
    expect(res.body.actions.at(-1)).toMatchObject({
      tool: 'add_task',
      ok: true,
      result: { title: 'send invites to Bob', parent_id: party.id },
    });
    expect((await chat(user, 'add subtask buy cake under the party')).body.reply).toBe(
      'Added "buy cake" under "Plan the party" (0/2 done).',
    );
    expect((await chat(user, 'add subtask balloons to unicorns')).body.reply).toBe(
      'I couldn\'t find an open task matching "unicorns".',
    );
    const list = await chat(user, 'list my tasks');
    expect(list.body.reply).toMatch(/• Plan the party \[0\/2 done\]/);
    expect((await chat(user, 'done with buy cake')).body.reply).toBe('Done: "buy cake".');
    expect((await chat(user, 'done with plan the party')).body.reply).toBe(
      'Done: "Plan the party". 1 of its subtasks is still open.',
    );
    const preview = await api.json('POST', '/api/v1/chat/preview', {
      token: user.token,
      body: { message: 'add subtask x to y', time_zone: 'UTC' },
    });
    expect(preview.body).toMatchObject({ kind: 'command' });
  });

  it('assigns a task to a member by email or to "me", unassigns, and lists what is assigned to me', async () => {
    const owner = await api.signUp();
    const mate = await api.signUp();
    const project = (
      await api.json('POST', '/api/v1/projects', { token: owner.token, body: { name: 'Home' } })
    ).body;
    const inv = await api.json('POST', `/api/v1/projects/${project.id}/invitations`, {
      token: owner.token,
      body: { email: mate.email, role: 'editor' },
    });
    await api.json('POST', `/api/v1/invitations/${inv.body.id}/accept`, { token: mate.token });
    const task = await addTask(owner, { title: 'Fix the sink', project_id: project.id });
    expect((await chat(owner, `assign fix the sink to ${mate.email}`)).body.reply).toBe(
      `Assigned "Fix the sink" to ${mate.email}; they get its reminders now.`,
    );
    expect((await chat(mate, "what's assigned to me?")).body.reply).toBe(
      'Assigned to you (1):\n• Fix the sink',
    );
    expect((await chat(owner, 'assign fix the sink to me')).body.reply).toBe(
      'Assigned "Fix the sink" to you; its reminders are yours now.',
    );
    expect((await chat(mate, 'assigned to me')).body.reply).toBe('Nothing is assigned to you.');
    expect((await chat(owner, 'unassign fix the sink')).body.reply).toBe(
      '"Fix the sink" is assigned to nobody now.',
    );
    const stranger = (await chat(owner, 'assign fix the sink to nobody@example.com')).body.reply;
    expect(stranger).toContain('nobody@example.com');
    expect(
      (await api.json('GET', `/api/v1/tasks/${task.id}`, { token: owner.token })).body.assignee_id,
    ).toBeNull();
  });

  it('rejects an empty message and a missing token', async () => {
    const user = await api.signUp();
    const empty = await api.json('POST', '/api/v1/chat', { token: user.token, body: { message: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toBe('body.message');
    expect((await api.json('POST', '/api/v1/chat', { body: { message: 'hi' } })).status).toBe(401);
  });
});

/** A real OpenAI-compatible HTTP peer on loopback that answers from a script and records what it was sent. */
function startModelStub(script: ((body: any) => { status?: number; json: unknown; delayMs?: number })[]) {
  const requests: { headers: IncomingMessage['headers']; body: any }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw);
      requests.push({ headers: req.headers, body });
      const step = script[Math.min(requests.length - 1, script.length - 1)]!(body);
      // A slow model: the answer comes after delayMs (or never reaches a caller that gave up).
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(step.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(step.json));
      }, step.delayMs ?? 0);
    });
  });
  return new Promise<{ url: string; requests: typeof requests; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        requests,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

const toolCall = (id: string, name: string, args: unknown) => ({
  id,
  type: 'function',
  function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
});
const completion = (message: Record<string, unknown>) => ({
  json: {
    id: 'c',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', ...message } }],
  },
});

describe('chat with a model configured (OpenAI-compatible stub on 127.0.0.1)', () => {
  let stub: Awaited<ReturnType<typeof startModelStub>>;
  beforeAll(async () => {
    stub = await startModelStub([
      () =>
        completion({
          content: null,
          tool_calls: [
            toolCall('call_1', 'add_task', { title: 'Buy milk', priority: 'high', tags: ['shopping'] }),
            toolCall('call_2', 'add_task', { title: 'Bad one', priority: 'urgent' }),
            toolCall('call_3', 'list_tasks', '{not json'),
          ],
        }),
      (body) => {
        const results = body.messages
          .filter((m: any) => m.role === 'tool')
          .map((m: any) => JSON.parse(m.content));
        return completion({
          content: `Added ${results[0].title}; ${results[1].error ? 'one call failed' : ''}`,
        });
      },
    ]);
  });
  afterAll(() => stub?.close());

  const appWith = (overrides: Record<string, string | number>) =>
    createChatApp({ ...api.stack.deps, config: { ...api.stack.deps.config, ...overrides } });
  const post = (app: ReturnType<typeof createChatApp>, user: TestUser, message: string) =>
    app.fetch(
      new Request('http://chat.local/api/v1/chat', {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message, time_zone: 'Europe/Berlin' }),
      }),
    );

  it('limits model calls per account: the 21st turn within a minute is a 429 with Retry-After', async () => {
    const echo = await startModelStub([() => completion({ content: 'ok' })]);
    try {
      const user = await api.signUp();
      const app = appWith({ OPENAI_BASE_URL: echo.url, OPENAI_API_KEY: 'sk-test' });
      for (let i = 0; i < 20; i++) expect((await post(app, user, `hello ${i}`)).status).toBe(200);
      const limited = await post(app, user, 'one more');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(echo.requests).toHaveLength(20);
      // Someone else still gets through.
      expect((await post(app, await api.signUp(), 'hi')).status).toBe(200);
    } finally {
      await echo.close();
    }
  });

  it('runs the tool calls the model asks for, as the caller, and returns its reply', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    const app = appWith({ OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'stub-model' });
    const res = await post(app, user, 'remember to buy milk, it is important');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ mode: 'llm', changed: true, reply: 'Added Buy milk; one call failed' });
    expect(body.actions.map((a: any) => [a.tool, a.ok])).toEqual([
      ['add_task', true],
      ['add_task', false],
      ['list_tasks', false],
    ]);
    expect(body.actions[1].error).toMatch(/priority/);
    expect(body.actions[2].error).toMatch(/not valid JSON/);

    const first = stub.requests[0]!;
    expect(first.headers.authorization).toBe('Bearer sk-test');
    expect(first.body.model).toBe('stub-model');
    expect(first.body.tools.map((t: any) => t.function.name)).toContain('skip_occurrence');
    expect(
      first.body.tools.find((t: any) => t.function.name === 'add_task').function.parameters.required,
    ).toEqual(['title']);
    expect(first.body.messages[0].content).toMatch(/Europe\/Berlin/);
    const second = stub.requests[1]!;
    expect(
      second.body.messages.filter((m: any) => m.role === 'tool').map((m: any) => m.tool_call_id),
    ).toEqual(['call_1', 'call_2', 'call_3']);

    const mine = await api.json('GET', '/api/v1/tasks?search=milk', { token: user.token });
    expect(mine.body.items.map((t: any) => [t.title, t.priority])).toEqual([['Buy milk', 'high']]);
    expect((await api.json('GET', '/api/v1/tasks?search=milk', { token: other.token })).body.items).toEqual(
      [],
    );
  });

  it('gives the model the conversation so far, so a follow-up like "yes, delete it" has its context', async () => {
    const echo = await startModelStub([() => completion({ content: 'Deleted it.' })]);
    try {
      const user = await api.signUp();
      const app = appWith({ OPENAI_BASE_URL: echo.url, OPENAI_API_KEY: 'sk-test' });
      const history = [
        { role: 'user', content: 'get rid of the old dentist task' },
        { role: 'assistant', content: 'Delete "Dentist" (due Friday)? Say yes to confirm.' },
      ];
      const res = await app.fetch(
        new Request('http://chat.local/api/v1/chat', {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'yes', history }),
        }),
      );
      expect(res.status).toBe(200);
      const sent = echo.requests[0]!.body.messages.map((m: any) => [m.role, m.content]);
      expect(sent.slice(1)).toEqual([...history.map((t) => [t.role, t.content]), ['user', 'yes']]);
      const tooLong = await api.json('POST', '/api/v1/chat', {
        token: user.token,
        body: { message: 'hi', history: Array(21).fill({ role: 'user', content: 'x' }) },
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.errors[0].field).toBe('body.history');
    } finally {
      await echo.close();
    }
  });

  it('falls back to the offline commands, and says so, when the model endpoint fails', async () => {
    const failing = await startModelStub([() => ({ status: 500, json: { error: 'boom' } })]);
    try {
      const user = await api.signUp();
      const app = appWith({ OPENAI_BASE_URL: failing.url, OPENAI_API_KEY: 'sk-test' });
      const body = (await (await post(app, user, "what's overdue?")).json()) as any;
      expect(body.mode).toBe('offline');
      expect(body.reply).toMatch(
        /^\(The AI model is unavailable: the model endpoint answered 500\.[^\n]*\)\nNothing is overdue\./,
      );
    } finally {
      await failing.close();
    }
  });

  const turnWith =
    (app: ReturnType<typeof createChatApp>, user: TestUser) =>
    async (message: string, history: { role: string; content: string }[] = []) => {
      const res = await app.fetch(
        new Request('http://chat.local/api/v1/chat', {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message, time_zone: 'UTC', history }),
        }),
      );
      expect(res.status).toBe(200);
      return (await res.json()) as any;
    };
  const titles = async (user: TestUser) =>
    (await api.json('GET', '/api/v1/tasks?sort_by=title', { token: user.token })).body.items.map(
      (t: any) => t.title,
    );

  it('never runs a deletion the model proposes: the server asks, and deletes on the next turn’s yes', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    const dentist = await addTask(user, { title: 'Dentist', due_at: '2031-03-07T14:30:00Z' });
    const theirs = await addTask(other, { title: 'Theirs' });
    const work = (await api.json('POST', '/api/v1/tags', { token: user.token, body: { name: 'work' } })).body;
    const model = await startModelStub([
      () =>
        completion({
          content: 'Deleting both now.',
          tool_calls: [
            toolCall('d1', 'delete_task', { id: dentist.id }),
            toolCall('d2', 'delete_tag', { id: work.id }),
            toolCall('l1', 'list_tags', {}),
          ],
        }),
      () => completion({ content: 'Yes to what?' }),
      () => completion({ tool_calls: [toolCall('x1', 'delete_task', { id: theirs.id })] }),
      (body) => completion({ content: JSON.parse(body.messages.at(-1).content).error }),
      () => completion({ tool_calls: [toolCall('t1', 'delete_tag', { id: work.id })] }),
    ]);
    try {
      const turn = turnWith(appWith({ OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test' }), user);
      const ask = await turn('delete the dentist and the work tag');
      expect(ask).toMatchObject({
        mode: 'llm',
        changed: false,
        pending: { tool: 'delete_task', input: { id: dentist.id } },
      });
      expect(ask.reply).toBe(
        'Delete "Dentist" — due Fri 7 Mar 14:30? Say "yes" to delete it, or anything else to keep it.',
      );
      // The read-only call of the batch ran; the second deletion waits for its own question.
      expect(ask.actions.map((a: any) => [a.tool, a.ok])).toEqual([
        ['delete_tag', false],
        ['list_tags', true],
      ]);
      expect(ask.actions[0].error).toMatch(/One deletion at a time/);
      expect(model.requests).toHaveLength(1);
      expect((await api.json('GET', `/api/v1/tasks/${dentist.id}`, { token: user.token })).status).toBe(200);

      const history = [
        { role: 'user', content: 'delete the dentist and the work tag' },
        { role: 'assistant', content: ask.reply },
      ];
      const yes = await turn('yes', history);
      expect(yes).toMatchObject({ mode: 'llm', reply: 'Deleted "Dentist".', changed: true });
      expect(yes.actions.map((a: any) => [a.tool, a.ok])).toEqual([['delete_task', true]]);
      expect(model.requests).toHaveLength(1); // the yes is the server's to answer, not the model's
      expect((await api.json('GET', `/api/v1/tasks/${dentist.id}`, { token: user.token })).status).toBe(404);
      // A yes after no question of ours is an ordinary message for the model; a stale one deletes nothing.
      expect((await turn('yes')).reply).toBe('Yes to what?');
      const stale = await turn('yes', history);
      expect(stale).toMatchObject({ changed: false, actions: [] });
      expect(stale.reply).toMatch(
        /^I couldn't find "Dentist" — due Fri 7 Mar 14:30 any more; nothing was deleted/,
      );

      // Another user's task is not found (the model hears why), and no question is asked about it.
      const notYours = await turn('delete theirs');
      expect(notYours.reply).toMatch(/^Task .* not found: no task with that id belongs to you/);
      expect(notYours.pending).toBeUndefined();
      expect((await api.json('GET', `/api/v1/tasks/${theirs.id}`, { token: other.token })).status).toBe(200);

      const askTag = await turn('drop the work tag');
      expect(askTag).toMatchObject({
        reply: 'Delete the tag "work"? Say "yes" to delete it, or anything else to keep it.',
        pending: { tool: 'delete_tag', input: { id: work.id } },
        changed: false,
      });
      const tags = () => api.json('GET', '/api/v1/tags', { token: user.token });
      expect((await tags()).body.items.map((t: any) => t.name)).toEqual(['work']);
      const yesTag = await turn('yes please', [
        { role: 'user', content: 'drop the work tag' },
        { role: 'assistant', content: askTag.reply },
      ]);
      expect(yesTag).toMatchObject({ reply: 'Deleted the tag "work".', changed: true });
      expect((await tags()).body.items).toEqual([]);
      expect(model.requests).toHaveLength(5);
    } finally {
      await model.close();
    }
  });

  it('caps the tool calls of a turn (CHAT_MAX_TOOL_CALLS, 8 by default): past it the turn ends and says so', async () => {
    expect(loadConfig({}).CHAT_MAX_TOOL_CALLS).toBe(8);
    const adds = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        toolCall(`a${from + i}`, 'add_task', { title: `Step ${from + i}` }),
      );
    const model = await startModelStub([
      () => completion({ tool_calls: adds(1, 9) }),
      () => completion({ tool_calls: adds(1, 2) }),
      () => completion({ tool_calls: adds(3, 2) }),
    ]);
    try {
      const user = await api.signUp();
      const settings = { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test' };
      // Nine calls in one answer: none runs (a batch runs whole or not at all).
      const nine = await turnWith(appWith(settings), user)('add nine steps');
      expect(nine).toMatchObject({ mode: 'llm', changed: false, actions: [] });
      expect(nine.reply).toBe(
        'That needs more than 8 steps, the most one message may take; I stopped after 0 steps and did not start the next 9 steps. Ask for less at once.',
      );
      expect(await titles(user)).toEqual([]);
      // With a cap of 3, the first two calls run and the next two would pass it.
      const capped = await turnWith(appWith({ ...settings, CHAT_MAX_TOOL_CALLS: 3 }), user)('add four steps');
      expect(capped.reply).toMatch(
        /^That needs more than 3 steps, .* I stopped after 2 steps and did not start the next 2 steps/,
      );
      expect(capped).toMatchObject({ mode: 'llm', changed: true });
      expect(capped.actions.map((a: any) => a.result.title)).toEqual(['Step 1', 'Step 2']);
      expect(await titles(user)).toEqual(['Step 1', 'Step 2']);
      expect(model.requests).toHaveLength(3);
    } finally {
      await model.close();
    }
  });

  it('ends a turn at its deadline (CHAT_TURN_DEADLINE_MS, 25 s by default) with a reply, running nothing after it', async () => {
    expect(loadConfig({}).CHAT_TURN_DEADLINE_MS).toBe(25_000);
    const model = await startModelStub([
      () => completion({ tool_calls: [toolCall('a', 'add_task', { title: 'Before the deadline' })] }),
      // The model thinks for 3 s before asking for another call: past the turn's 0.7 s.
      () => ({
        ...completion({ tool_calls: [toolCall('b', 'add_task', { title: 'After the deadline' })] }),
        delayMs: 3000,
      }),
    ]);
    try {
      const user = await api.signUp();
      const app = appWith({
        OPENAI_BASE_URL: model.url,
        OPENAI_API_KEY: 'sk-test',
        CHAT_TURN_DEADLINE_MS: 700,
      });
      const started = Date.now();
      const body = await turnWith(app, user)('add two things, slowly');
      expect(Date.now() - started).toBeLessThan(2500);
      expect(body).toMatchObject({ mode: 'llm', changed: true });
      expect(body.reply).toBe(
        'I ran out of time for this request (1 s) and stopped after 1 step; nothing was left half-done. Ask again to carry on, or ask for less at once.',
      );
      expect(body.actions.map((a: any) => [a.tool, a.ok])).toEqual([['add_task', true]]);
      expect(model.requests).toHaveLength(2);
      // After the model's late answer would have arrived, its call still has not run.
      await new Promise((resolve) => setTimeout(resolve, 2700));
      expect(await titles(user)).toEqual(['Before the deadline']);
    } finally {
      await model.close();
    }
  });
});
