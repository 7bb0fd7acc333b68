import { readFileSync } from 'node:fs';
import { parseCsv } from '@todo/core/transfer/csv';
import { ExportDocument } from '@todo/core/transfer/export-schema';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type TestUser, useTestApi } from '../testing/stack.ts';

const api = useTestApi();

const fixture = readFileSync(new URL('./fixtures/todoist-export.csv', import.meta.url), 'utf8');

/** POST /api/v1/import with a body of any type (the test API's call() sends JSON only). */
async function importFile(user: TestUser, body: string, contentType: string, query = '') {
  const res = await api.stack.app.fetch(
    new Request(`http://test.local/api/v1/import${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': contentType },
      body,
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function exportOf(user: TestUser): Promise<ExportDocument> {
  const res = await api.call('GET', '/api/v1/export', { token: user.token });
  expect(res.status).toBe(200);
  return JSON.parse(await res.text());
}

async function post(user: TestUser, path: string, body: Record<string, unknown>) {
  const res = await api.json('POST', path, { token: user.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** What an account holds: its projects, tasks and TaskCreated events (to prove nothing was written). */
async function holdings(user: TestUser) {
  const db = api.stack.db;
  const count = async (table: 'projects' | 'tasks' | 'tags') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('user_id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const { n: events } = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('event_type', '=', 'TaskCreated.v1')
    .where(sql`cloud_event->'data'->>'user_id'`, '=', user.id)
    .executeTakeFirstOrThrow();
  return {
    projects: await count('projects'),
    tasks: await count('tasks'),
    tags: await count('tags'),
    events: Number(events),
  };
}

/** The parts of a document that say what the account holds (not who exported it, or when). */
const contents = (doc: ExportDocument) => ({ projects: doc.projects, tags: doc.tags, tasks: doc.tasks });

describe('export', () => {
  it('JSON: a versioned document of everything the user owns, as a dated attachment, valid by its own schema', async () => {
    const user = await api.signUp();
    const work = await post(user, '/api/v1/projects', { name: 'Work', color: 'blue' });
    await post(user, '/api/v1/tags', { name: 'unused' });
    await post(user, '/api/v1/tasks', {
      title: 'Report',
      project_id: work.id,
      tags: ['work'],
      due_at: '2030-01-05T09:00:00Z',
      reminders: [60],
      recurrence: { rule: 'FREQ=WEEKLY', mode: 'completion' },
      priority: 'high',
    });
    const res = await api.call('GET', '/api/v1/export?format=json', { token: user.token });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="todo-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const doc = JSON.parse(await res.text());
    expect(ExportDocument.safeParse(doc).success).toBe(true);
    expect(doc).toMatchObject({
      format: 'todo-export',
      version: 1,
      user: { email: user.email, time_zone: 'UTC' },
      projects: [
        { ref: 'p1', name: 'Inbox', is_inbox: true, position: 0, archived: false },
        { ref: 'p2', name: 'Work', color: 'blue', position: 1, is_inbox: false },
      ],
      tags: [{ name: 'unused' }, { name: 'work' }],
      tasks: [
        {
          ref: 't1',
          project: 'p2',
          parent: null,
          title: 'Report',
          priority: 'high',
          due_at: '2030-01-05T09:00:00.000Z',
          time_zone: 'UTC',
          recurrence: { rule: 'FREQ=WEEKLY', mode: 'completion' },
          reminders: [60],
          tags: ['work'],
          series: 's1',
          occurrence: 1,
          completed_at: null,
        },
      ],
    });
  });

  it('CSV: one row per task, RFC 4180 quoting, and formulas neutralized (OWASP)', async () => {
    const user = await api.signUp();
    await post(user, '/api/v1/tasks', {
      title: '=HYPERLINK("http://evil.example","click")',
      description: 'a, "quoted"\nsecond line',
      tags: ['b', 'a'],
    });
    await post(user, '/api/v1/tasks', { title: '@SUM(A1)', description: '-2+3' });
    await post(user, '/api/v1/tasks', { title: 'plain' });
    const res = await api.call('GET', '/api/v1/export?format=csv', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(/filename="todo-export-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    expect(text).toContain('"\'=HYPERLINK(""http://evil.example"",""click"")"');
    expect(text).toContain('"a, ""quoted""\nsecond line"');
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(text).map((r) => r.fields);
    expect(header).toEqual([
      'project',
      'title',
      'description',
      'status',
      'priority',
      'due_at',
      'time_zone',
      'recurrence',
      'recurrence_mode',
      'reminders',
      'tags',
      'completed_at',
      'created_at',
      'parent',
    ]);
    expect(rows.map((r) => [r[0], r[1], r[2], r[10]])).toEqual([
      ['Inbox', '\'=HYPERLINK("http://evil.example","click")', 'a, "quoted"\nsecond line', 'a, b'],
      ['Inbox', "'@SUM(A1)", "'-2+3", ''],
      ['Inbox', 'plain', '', ''],
    ]);
  });
});

describe('import: our JSON document', () => {
  it('round trip: export → import into a fresh account → export gives the same document', async () => {
    const source = await api.signUp();
    const work = await post(source, '/api/v1/projects', { name: 'Work', color: 'blue' });
    const old = await post(source, '/api/v1/projects', { name: 'Old stuff', color: 'red' });
    await post(source, '/api/v1/tags', { name: 'someday' });
    const weekly = await post(source, '/api/v1/tasks', {
      title: 'Weekly review',
      project_id: work.id,
      due_at: '2030-01-07T09:00:00Z',
      time_zone: 'Europe/Paris',
      recurrence: { rule: 'FREQ=WEEKLY;COUNT=5', mode: 'schedule' },
      reminders: [15, 60],
      tags: ['Work', 'review'],
    });
    await post(source, '/api/v1/tasks', {
      title: 'Inbox thing',
      description: 'with\nlines',
      priority: 'low',
    });
    const archived = await post(source, '/api/v1/tasks', { title: 'Old task', project_id: old.id });
    expect(
      (await api.json('POST', `/api/v1/tasks/${archived.id}/complete`, { token: source.token })).status,
    ).toBe(200);
    expect(
      (
        await api.json('PATCH', `/api/v1/projects/${old.id}`, {
          token: source.token,
          body: { archived: true },
        })
      ).status,
    ).toBe(200);
    // The next occurrence of the weekly task, made by schedule-recurrence: two tasks of one series.
    expect(
      (await api.json('POST', `/api/v1/tasks/${weekly.id}/complete`, { token: source.token })).status,
    ).toBe(200);
    await api.settle();
    // A parent with two subtasks (written through an import: subtasks are another function's API).
    const withSubtasks = await importFile(
      source,
      JSON.stringify({
        format: 'todo-export',
        version: 1,
        exported_at: '2030-01-01T00:00:00Z',
        user: { email: 'x@example.com', time_zone: 'UTC' },
        projects: [{ ref: 'w', name: 'Inbox', position: 0, is_inbox: true }],
        tasks: [
          { ref: 'a', project: 'w', title: 'Plan trip', created_at: '2029-12-01T10:00:00Z' },
          { ref: 'b', project: 'w', parent: 'a', title: 'Book hotel', created_at: '2029-12-01T10:01:00Z' },
          {
            ref: 'c',
            project: 'w',
            parent: 'a',
            title: 'Train tickets',
            status: 'done',
            completed_at: '2029-12-02T10:00:00Z',
            created_at: '2029-12-01T10:02:00Z',
          },
        ],
      }),
      'application/json',
    );
    expect(withSubtasks.status, JSON.stringify(withSubtasks.body)).toBe(201);

    const first = await exportOf(source);
    expect(first.tasks.filter((t) => t.series === 's1').map((t) => t.occurrence)).toEqual([1, 2]);
    expect(first.tasks.find((t) => t.title === 'Book hotel')?.parent).toBe(
      first.tasks.find((t) => t.title === 'Plan trip')?.ref,
    );
    const target = await api.signUp();
    const before = await holdings(target);
    const imported = await importFile(target, JSON.stringify(first), 'application/json');
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body).toEqual({
      projects: 2,
      tasks: first.tasks.length,
      tags: 3,
      project_id: null,
      skipped: {
        project_notes: 0,
        assignees: 0,
        durations: 0,
        deadlines: 0,
        deep_subtasks: 0,
        recurring_subtasks: 0,
        columns: [],
      },
    });
    const second = await exportOf(target);
    expect(contents(second)).toEqual(contents(first));
    // The export's Inbox is the account's own Inbox: still exactly one.
    expect(second.projects.filter((p) => p.is_inbox)).toHaveLength(1);
    // A TaskCreated per task in the outbox, so reminders and repeats are scheduled downstream.
    const after = await holdings(target);
    expect(after.events - before.events).toBe(first.tasks.length);
    expect(after.tasks).toBe(first.tasks.length);
  });

  it('into an account with tasks: the Inbox tasks join its Inbox, other projects are added after its own', async () => {
    const user = await api.signUp();
    await post(user, '/api/v1/projects', { name: 'Mine' });
    await post(user, '/api/v1/tasks', { title: 'Already here' });
    const doc = await exportOf(user);
    const res = await importFile(user, JSON.stringify(doc), 'application/json');
    expect(res.status).toBe(201);
    const after = await exportOf(user);
    expect(after.projects.map((p) => [p.name, p.position])).toEqual([
      ['Inbox', 0],
      ['Mine', 1],
      ['Mine', 2],
    ]);
    expect(after.tasks.map((t) => [t.title, t.project])).toEqual([
      ['Already here', 'p1'],
      ['Already here', 'p1'],
    ]);
  });

  it('tags are matched case-insensitively, to the account’s own and to each other', async () => {
    const user = await api.signUp();
    await post(user, '/api/v1/tags', { name: 'Home' });
    const res = await importFile(
      user,
      JSON.stringify({
        format: 'todo-export',
        version: 1,
        exported_at: '2030-01-01T00:00:00Z',
        user: { email: 'x@example.com', time_zone: 'UTC' },
        projects: [{ ref: 'p', name: 'Inbox', position: 0, is_inbox: true }],
        tags: [{ name: 'home' }, { name: 'Garden' }, { name: 'GARDEN' }],
        tasks: [{ ref: 't', project: 'p', title: 'Weed', tags: ['HOME', 'garden', 'Garden'] }],
      }),
      'application/json',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.tags).toBe(1);
    const doc = await exportOf(user);
    expect(doc.tags.map((t) => t.name)).toEqual(['Garden', 'Home']);
    expect(doc.tasks[0]?.tags).toEqual(['Garden', 'Home']);
  });

  it('a bad document is one 400 naming each field, and nothing is written', async () => {
    const user = await api.signUp();
    const before = await holdings(user);
    const doc = {
      format: 'todo-export',
      version: 1,
      exported_at: '2030-01-01T00:00:00Z',
      user: { email: 'x@example.com', time_zone: 'UTC' },
      projects: [{ ref: 'p1', name: 'Fine', position: 1 }],
      tasks: [
        { ref: 't1', project: 'p1', title: 'ok' },
        { ref: 't2', project: 'nowhere', title: 'lost' },
        { ref: 't3', project: 'p1', title: 'x'.repeat(501) },
        { ref: 't4', project: 'p1', title: 'early', reminders: [5] },
      ],
    };
    const res = await importFile(user, JSON.stringify(doc), 'application/json');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.tasks.1.project',
      'body.tasks.2.title',
      'body.tasks.3.due_at',
    ]);
    // A ref used twice, and one that resolves to nothing.
    const refs = await importFile(
      user,
      JSON.stringify({
        ...doc,
        tasks: [doc.tasks[0], doc.tasks[1], { ref: 't1', project: 'p1', title: 'twin' }],
      }),
      'application/json',
    );
    expect(refs.status).toBe(400);
    expect(refs.body.errors).toEqual([
      { field: 'body.tasks.2.ref', message: '"t1" is used twice' },
      { field: 'body.tasks.1.project', message: 'no project with ref "nowhere"' },
    ]);
    for (const body of ['{"format":"todo-export"', '[]', '{"format":"other","version":1}']) {
      const bad = await importFile(user, body, 'application/json');
      expect(bad.status, body).toBe(400);
    }
    expect(await holdings(user)).toEqual(before);
  });
});

describe('import: Todoist CSV', () => {
  it("reads Todoist's documented format: sections, notes, labels, subtasks, priorities, dates, quoting", async () => {
    const user = await api.signUp();
    const res = await importFile(user, fixture, 'text/csv', '?name=Moving%20house');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      projects: 1,
      tasks: 7,
      tags: 4,
      skipped: {
        project_notes: 1,
        assignees: 1,
        durations: 1,
        deadlines: 1,
        deep_subtasks: 1,
        recurring_subtasks: 0,
        columns: [],
      },
    });
    const doc = await exportOf(user);
    const project = doc.projects.find((p) => p.name === 'Moving house')!;
    expect(project).toMatchObject({ position: 1, archived: false });
    expect(doc.projects.find((p) => p.ref === 'p2')?.name).toBe('Moving house');
    const byTitle = new Map(doc.tasks.map((t) => [t.title, t]));
    expect(doc.tasks.map((t) => t.title)).toEqual([
      'Book the van',
      'Confirm pick-up time',
      'Pack books, records and "fragile" things',
      'Label the boxes',
      'Tape',
      'Water the plants',
      'Buy bubble wrap',
    ]);
    expect(doc.tasks.every((t) => t.project === project.ref)).toBe(true);
    expect(byTitle.get('Book the van')).toMatchObject({
      description: 'Ask for the large one\n\nQuote from Van Co: £120, fuel included',
      priority: 'high',
      tags: ['errands', 'move'],
      // 09:00 in London on a date without a time (GMT in early March).
      due_at: '2030-03-02T09:00:00.000Z',
      time_zone: 'Europe/London',
      parent: null,
    });
    expect(byTitle.get('Confirm pick-up time')).toMatchObject({
      priority: 'medium',
      due_at: '2030-03-01T17:30:00.000Z',
      parent: byTitle.get('Book the van')!.ref,
    });
    const pack = byTitle.get('Pack books, records and "fragile" things')!;
    expect(pack).toMatchObject({
      description: 'Line one\r\nLine two',
      priority: 'low',
      tags: ['section:Packing'],
      due_at: null,
      time_zone: 'UTC',
    });
    // INDENT 2 is a subtask; INDENT 3 (deeper than one level) a subtask of the same top-level task.
    expect(byTitle.get('Label the boxes')).toMatchObject({ parent: pack.ref, priority: 'medium' });
    expect(byTitle.get('Tape')).toMatchObject({ parent: pack.ref, tags: ['section:Packing'] });
    const plants = byTitle.get('Water the plants')!;
    expect(plants.tags).toEqual(['home', 'section:Packing']);
    expect(plants.recurrence).toEqual({
      rule: expect.stringMatching(/^FREQ=WEEKLY;.*BYDAY=MO/),
      mode: 'schedule',
    });
    expect(new Date(plants.due_at!).getUTCDay()).toBe(1);
    // An empty PRIORITY is p1, as Todoist's help says.
    expect(byTitle.get('Buy bubble wrap')?.priority).toBe('high');
    expect((await holdings(user)).events).toBe(7);
  });

  it('goes into one of the caller’s projects with ?project=; another user’s is a 400, as in a task write', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    const mine = await post(user, '/api/v1/projects', { name: 'Errands' });
    const theirs = await post(other, '/api/v1/projects', { name: 'Theirs' });
    const csv = 'TYPE,CONTENT,PRIORITY,INDENT\ntask,Milk @shop,4,1\n';
    const ok = await importFile(user, csv, 'text/csv', `?project=${mine.id}`);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ projects: 0, tasks: 1, project_id: mine.id });
    const before = await holdings(user);
    const foreign = await importFile(user, csv, 'text/csv', `?project=${theirs.id}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].field).toBe('query.project');
    expect(await holdings(user)).toEqual(before);
    expect((await holdings(other)).tasks).toBe(0);
  });

  it.each([
    ['a wrong header', 'Title,Due\nMilk,tomorrow\n', 'line.1.header', /not Todoist's CSV format/],
    [
      'a bad priority on line 4',
      'TYPE,CONTENT,PRIORITY,INDENT\ntask,One,1,1\ntask,Two,2,1\ntask,Three,5,1\n',
      'line.4.PRIORITY',
      /^line 4: PRIORITY: must be 1–4/,
    ],
    [
      'a title too long (line 3, after a quoted multi-line field)',
      `TYPE,CONTENT,DESCRIPTION\ntask,Fine,"two\nlines"\ntask,${'x'.repeat(501)},\n`,
      'line.4.CONTENT',
      /^line 4: CONTENT: /,
    ],
    ['not CSV at all', '\u0089PNG\r\n\u001a\n\u0000\u0000binary', 'line.1.header', /missing TYPE, CONTENT/],
    ['an unclosed quote', 'TYPE,CONTENT\ntask,"never closed\n', 'line.2.file', /not closed/],
    ['a row of the wrong width', 'TYPE,CONTENT\ntask,a,extra\n', 'line.2.row', /has 3 fields/],
    ['an unreadable date', 'TYPE,CONTENT,DATE\ntask,a,whenever pigs fly\n', 'line.2.DATE', /cannot read/],
    [
      'a subtask with no task above',
      'TYPE,CONTENT,INDENT\ntask,a,2\n',
      'line.2.INDENT',
      /needs one at indent 1/,
    ],
    ['an unknown TYPE', 'TYPE,CONTENT\nproject,a\n', 'line.2.TYPE', /must be task, section or note/],
  ])('%s: 400 naming the line and field, nothing imported', async (_, csv, field, detail) => {
    const user = await api.signUp();
    const before = await holdings(user);
    const res = await importFile(user, csv, 'text/csv');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors[0].field).toBe(field);
    expect(res.body.detail).toMatch(detail);
    expect(await holdings(user)).toEqual(before);
  });

  it('lists every bad line of a file at once (up to 20)', async () => {
    const user = await api.signUp();
    const rows = Array.from({ length: 30 }, (_, i) => `task,Task ${i},9`).join('\n');
    const res = await importFile(user, `TYPE,CONTENT,PRIORITY\n${rows}\n`, 'text/csv');
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.errors[0]).toEqual({
      field: 'line.2.PRIORITY',
      message: 'must be 1–4 (1 is p1, the highest)',
    });
    expect(res.body.errors.at(-1).field).toBe('line.21.PRIORITY');
  });

  it('takes up to 5,000 tasks in a body over 1 MB (the route’s own limit), and refuses one more', async () => {
    const user = await api.signUp();
    const row = (i: number) => `task,Task ${i},${'d'.repeat(250)},4,1`;
    const header = 'TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT\n';
    const big = header + Array.from({ length: 5_000 }, (_, i) => row(i)).join('\n');
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const started = Date.now();
    const res = await importFile(user, big, 'text/csv');
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
    expect(res.body.tasks).toBe(5_000);
    console.log(`5,000-task import: ${Date.now() - started} ms`);
    expect(await holdings(user)).toMatchObject({ tasks: 5_000, events: 5_000 });

    const more = await importFile(user, `${big}\n${row(5_000)}`, 'text/csv');
    expect(more.status).toBe(400);
    expect(more.body.detail).toBe('line 5002: TYPE: at most 5000 tasks in one import');
  }, 120_000);

  it('a body over 5 MB is a 413; another Content-Type a 415', async () => {
    const user = await api.signUp();
    const huge = await importFile(user, `TYPE,CONTENT\n${'x'.repeat(5 * 1024 * 1024)}`, 'text/csv');
    expect(huge.status).toBe(413);
    const plain = await importFile(user, 'TYPE,CONTENT\ntask,a\n', 'text/plain');
    expect(plain.status).toBe(415);
    // The larger limit is the import's alone: every other route still stops at 1 MB.
    const task = await api.call('POST', '/api/v1/tasks', {
      token: user.token,
      rawBody: JSON.stringify({ title: 'big', description: 'x'.repeat(1024 * 1024) }),
    });
    expect(task.status).toBe(413);
  });
});
