import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TASK_TOOLS } from '@todo/core/assistant/tools';
import { listen, type RunningServer } from '@todo/core/runtime/serve';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, useTestApi } from '../testing/stack.ts';

const api = useTestApi();
let server: RunningServer;
let alice: TestUser;
let bob: TestUser;
const clients: Client[] = [];

/** The official SDK client over real HTTP to the whole local stack (gateway → mcp function). */
async function connect(token: string | undefined): Promise<Client> {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  const url = new URL(`http://127.0.0.1:${server.port}/api/v1/mcp`);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  clients.push(client);
  return client;
}

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: any };

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  const text = result.content.map((c) => c.text ?? '').join('');
  return { isError: result.isError === true, text, data: result.structuredContent };
}

beforeAll(async () => {
  server = await listen(api.stack.app, 0, '127.0.0.1');
  alice = await api.signUp();
  bob = await api.signUp();
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await server?.close(1000);
});

describe('mcp server (Streamable HTTP, official SDK client)', () => {
  it('lists the task tools with annotations and schemas derived from the API', async () => {
    const client = await connect(alice.token);
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'add_tag',
        'add_task',
        'complete_task',
        'delete_tag',
        'delete_task',
        'get_task',
        'list_projects',
        'list_members',
        'invite_member',
        'list_tags',
        'list_tasks',
        'reopen_task',
        'set_reminder',
        'skip_occurrence',
        'today',
        'update_task',
        'upcoming',
      ].sort(),
    );
    expect(byName.list_tasks!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.delete_task!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.update_task!.annotations).toMatchObject({ idempotentHint: true, destructiveHint: false });
    expect(byName.add_task!.annotations).toMatchObject({ idempotentHint: false });
    const add = byName.add_task!.inputSchema as any;
    expect(add.required).toEqual(['title']);
    expect(add.properties.priority.enum).toEqual(['low', 'medium', 'high']);
    const list = byName.list_tasks!.inputSchema as any;
    expect(list.properties.status.items.enum).toEqual(['todo', 'in_progress', 'done']);
    expect(list.properties.sort_by.enum).toEqual(['due_date', 'priority', 'created_at', 'title']);
    expect(list.properties.overdue.type).toBe('boolean');
  });

  it('calls every tool: add, list (search, filter, sort), get, update, reminders, complete, reopen, tags, delete', async () => {
    const client = await connect(alice.token);
    const tag = await call(client, 'add_tag', { name: 'errands' });
    expect(tag.isError).toBe(false);
    expect(tag.data).toMatchObject({ name: 'errands', task_count: 0 });

    const due = new Date(Date.now() + 86_400_000).toISOString();
    const added = await call(client, 'add_task', {
      title: 'Buy stamps',
      priority: 'high',
      tags: ['errands', 'post'],
      due_at: due,
      reminders: [60],
    });
    expect(added.isError).toBe(false);
    const id = added.data.id as string;
    expect(added.data).toMatchObject({ title: 'Buy stamps', priority: 'high', reminders: [60] });
    await call(client, 'add_task', { title: 'Water plants', priority: 'low' });

    const found = await call(client, 'list_tasks', {
      search: 'stamps',
      priority: ['high'],
      tags: ['errands'],
    });
    expect(found.data.items.map((t: any) => t.title)).toEqual(['Buy stamps']);
    const sorted = await call(client, 'list_tasks', { sort_by: 'priority' });
    expect(sorted.data.items.map((t: any) => t.priority)).toEqual(['high', 'low']);
    const page = await call(client, 'list_tasks', { limit: 1, sort_by: 'title' });
    expect(page.data.items).toHaveLength(1);
    const next = await call(client, 'list_tasks', {
      limit: 1,
      sort_by: 'title',
      cursor: page.data.next_cursor,
    });
    expect(next.data.items[0].title).toBe('Water plants');

    expect((await call(client, 'get_task', { id })).data.title).toBe('Buy stamps');
    const updated = await call(client, 'update_task', { id, title: 'Buy 10 stamps', tags: ['post'] });
    expect(updated.data).toMatchObject({ title: 'Buy 10 stamps', tags: [{ name: 'post' }] });
    const reminded = await call(client, 'set_reminder', { id, reminders: [1440, 15] });
    expect(reminded.data.reminders).toEqual([1440, 15]);
    expect((await call(client, 'complete_task', { id })).data.status).toBe('done');
    expect((await call(client, 'reopen_task', { id })).data.status).toBe('todo');

    const tags = await call(client, 'list_tags');
    expect(tags.data.items.map((t: any) => [t.name, t.task_count])).toEqual([
      ['errands', 0],
      ['post', 1],
    ]);
    expect((await call(client, 'delete_tag', { id: tag.data.id })).data).toEqual({
      deleted: true,
      id: tag.data.id,
    });

    const daily = await call(client, 'add_task', {
      title: 'Stretch',
      due_at: due,
      recurrence: { rule: 'FREQ=DAILY', mode: 'schedule' },
    });
    expect(daily.data.series_id).toBe(daily.data.id);
    const skip = await call(client, 'skip_occurrence', { series_id: daily.data.series_id });
    expect(skip.isError).toBe(false);
    expect(skip.data).toMatchObject({ id: daily.data.id, status: 'done', state: 'skipped' });
    // The next occurrence is created by the event path; once it exists, a second skip skips that one.
    await api.settle();
    const second = await call(client, 'skip_occurrence', { series_id: daily.data.series_id });
    expect(second.isError).toBe(false);
    expect(second.data).toMatchObject({ occurrence_number: 2, state: 'skipped' });
    expect(second.data.id).not.toBe(daily.data.id);
    // A series with nothing left open (its one occurrence skipped, COUNT reached) is a tool error.
    const once = await call(client, 'add_task', {
      title: 'One-off series',
      due_at: due,
      recurrence: { rule: 'FREQ=DAILY;COUNT=1', mode: 'schedule' },
    });
    expect((await call(client, 'skip_occurrence', { series_id: once.data.series_id })).isError).toBe(false);
    await api.settle();
    const again = await call(client, 'skip_occurrence', { series_id: once.data.series_id });
    expect(again.isError).toBe(true);
    expect(again.text).toMatch(/no open occurrence/);
    const plainSeries = await call(client, 'skip_occurrence', { series_id: id });
    expect(plainSeries.text).toMatch(/Series not found: .*series_id/);

    expect((await call(client, 'delete_task', { id })).data).toEqual({ deleted: true, id });
    const gone = await call(client, 'get_task', { id });
    expect(gone.isError).toBe(true);
    expect(gone.text).toMatch(/not found: no task with that id belongs to you; call list_tasks/);
  });

  it("today and upcoming: the views in the user's zone, occurrences of recurring tasks included", async () => {
    const user = await api.signUp();
    const client = await connect(user.token);
    const zone = 'Pacific/Auckland';
    const today = DateTime.now().setZone(zone).startOf('day');
    await call(client, 'add_task', { title: 'Yesterday', due_at: today.minus({ hours: 2 }).toISO() });
    await call(client, 'add_task', {
      title: 'Tonight',
      due_at: today.plus({ days: 1 }).minus({ hours: 1 }).toISO(),
    });
    const daily = await call(client, 'add_task', {
      title: 'Walk',
      due_at: today.plus({ hours: 7 }).toISO(),
      time_zone: zone,
      recurrence: { rule: 'FREQ=DAILY' },
    });
    const view = await call(client, 'today', { time_zone: zone });
    expect(view.isError).toBe(false);
    expect(view.data).toMatchObject({ date: today.toISODate(), time_zone: zone });
    expect(view.data.overdue.map((t: any) => t.title)).toEqual(['Yesterday']);
    expect(view.data.today.map((t: any) => t.title)).toEqual(['Walk', 'Tonight']);

    const upcoming = await call(client, 'upcoming', { days: 3, time_zone: zone });
    expect(upcoming.isError).toBe(false);
    expect(upcoming.data.days.map((d: any) => d.date)).toEqual(
      [0, 1, 2].map((n) => today.plus({ days: n }).toISODate()),
    );
    expect(upcoming.data.days.map((d: any) => d.occurrences.length)).toEqual([0, 1, 1]);
    expect(upcoming.data.days[1].occurrences[0]).toMatchObject({
      title: 'Walk',
      task_id: daily.data.id,
      series_id: daily.data.series_id,
    });
    const tooMany = await call(client, 'upcoming', { days: 40 });
    expect(tooMany.isError).toBe(true);
    expect(tooMany.text).toMatch(/days/);
    const badZone = await call(client, 'today', { time_zone: 'Mars/Olympus' });
    expect(badZone.text).toMatch(/time_zone/);
    // The other user's view has none of it.
    const theirs = await call(await connect(bob.token), 'today', { time_zone: zone });
    expect(JSON.stringify(theirs.data)).not.toMatch(/Yesterday|Tonight|Walk/);
  });

  it('sharing: invite_member only with confirm: true; list_members; list_projects shows the role', async () => {
    const owner = await api.signUp();
    const guest = await api.signUp();
    const client = await connect(owner.token);
    await api.json('POST', '/api/v1/projects', { token: owner.token, body: { name: 'Garden' } });
    const asked = await call(client, 'invite_member', {
      project: 'garden',
      email: guest.email,
      role: 'viewer',
    });
    expect(asked.data).toMatchObject({ invited: false, needs_confirmation: true });
    expect((await api.json('GET', '/api/v1/invitations', { token: guest.token })).body.items).toEqual([]);
    const done = await call(client, 'invite_member', {
      project: 'Garden',
      email: guest.email,
      role: 'viewer',
      confirm: true,
    });
    expect(done.data).toMatchObject({ invited: true, invitation: { email: guest.email, role: 'viewer' } });
    const [invitation] = (await api.json('GET', '/api/v1/invitations', { token: guest.token })).body.items;
    await api.json('POST', `/api/v1/invitations/${invitation.id}/accept`, { token: guest.token });
    const members = await call(client, 'list_members', { project: 'Garden' });
    expect(members.data.members.map((m: any) => m.role)).toEqual(['owner', 'viewer']);
    const guestClient = await connect(guest.token);
    const theirs = await call(guestClient, 'list_projects');
    expect(theirs.data.items.map((p: any) => [p.name, p.role])).toEqual([
      ['Inbox', 'owner'],
      ['Garden', 'viewer'],
    ]);
    // A viewer cannot add tasks there, nor invite.
    expect((await call(guestClient, 'add_task', { title: 'x', project: 'Garden' })).isError).toBe(true);
    const refused = await call(guestClient, 'invite_member', {
      project: 'Garden',
      email: 'z@example.com',
      role: 'viewer',
      confirm: true,
    });
    expect(refused.isError).toBe(true);
  });

  it('assignees: add_task and update_task take a member by email or "me", list_tasks filters by assignee; a viewer cannot be assigned', async () => {
    const owner = await api.signUp();
    const editor = await api.signUp();
    const viewer = await api.signUp();
    const project = (
      await api.json('POST', '/api/v1/projects', { token: owner.token, body: { name: 'Ops' } })
    ).body;
    for (const [who, role] of [
      [editor, 'editor'],
      [viewer, 'viewer'],
    ] as const) {
      const inv = await api.json('POST', `/api/v1/projects/${project.id}/invitations`, {
        token: owner.token,
        body: { email: who.email, role },
      });
      await api.json('POST', `/api/v1/invitations/${inv.body.id}/accept`, { token: who.token });
    }
    const client = await connect(owner.token);
    const added = await call(client, 'add_task', {
      title: 'Rotate keys',
      project: 'Ops',
      assignee: editor.email.toUpperCase(),
    });
    expect(added.data).toMatchObject({ title: 'Rotate keys', assignee_id: editor.id });
    const refused = await call(client, 'update_task', { id: added.data.id, assignee: viewer.email });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('assignee_id');
    const stranger = await call(client, 'update_task', { id: added.data.id, assignee: 'nobody@example.com' });
    expect(stranger.isError).toBe(true);
    expect((await call(client, 'update_task', { id: added.data.id, assignee: 'me' })).data.assignee_id).toBe(
      owner.id,
    );
    const editorClient = await connect(editor.token);
    await call(editorClient, 'update_task', { id: added.data.id, assignee: 'me' });
    const mine = await call(editorClient, 'list_tasks', { assignee: 'me' });
    expect(mine.data.items.map((t: any) => t.title)).toEqual(['Rotate keys']);
    const byEmail = await call(client, 'list_tasks', { assignee: editor.email });
    expect(byEmail.data.items.map((t: any) => t.id)).toEqual([added.data.id]);
    expect(
      (await call(client, 'update_task', { id: added.data.id, assignee: null })).data.assignee_id,
    ).toBeNull();
    expect((await call(client, 'list_tasks', { assignee: 'none', project: 'Ops' })).data.items).toHaveLength(
      1,
    );
  });

  it('projects: list_projects, and project by name (any case) or id in add_task, update_task and list_tasks', async () => {
    const user = await api.signUp();
    const client = await connect(user.token);
    const groceries = await api.json('POST', '/api/v1/projects', {
      token: user.token,
      body: { name: 'Groceries', color: 'green' },
    });
    const listed = await call(client, 'list_projects');
    expect(listed.data.items.map((p: any) => [p.name, p.open_count])).toEqual([
      ['Inbox', 0],
      ['Groceries', 0],
    ]);
    const inbox = listed.data.items[0];

    const milk = await call(client, 'add_task', { title: 'Milk', project: 'groceries' });
    expect(milk.data.project_id).toBe(groceries.body.id);
    const loose = await call(client, 'add_task', { title: 'Loose end' });
    expect(loose.data.project_id).toBe(inbox.id);
    const moved = await call(client, 'update_task', { id: loose.data.id, project: groceries.body.id });
    expect(moved.data.project_id).toBe(groceries.body.id);
    const back = await call(client, 'update_task', { id: loose.data.id, project: 'INBOX' });
    expect(back.data.project_id).toBe(inbox.id);

    const inGroceries = await call(client, 'list_tasks', { project: 'Groceries' });
    expect(inGroceries.data.items.map((t: any) => t.title)).toEqual(['Milk']);
    expect((await call(client, 'list_projects')).data.items[1].open_count).toBe(1);

    const unknown = await call(client, 'list_tasks', { project: 'Hardware store' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/No project named "Hardware store".*list_projects/);
    // Two open projects with one name: the id is needed.
    await api.json('POST', '/api/v1/projects', { token: user.token, body: { name: 'groceries' } });
    const ambiguous = await call(client, 'add_task', { title: 'Eggs', project: 'Groceries' });
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.text).toMatch(/project: 2 projects are named "Groceries"; give the id/);
    // Another user's project, by id or by name, is not found for this one.
    const other = await connect(bob.token);
    const foreign = await call(other, 'add_task', { title: 'Sneak', project: groceries.body.id });
    expect(foreign.isError).toBe(true);
    expect(foreign.text).toMatch(/not found: no project with that name or id belongs to you/);
    expect((await call(other, 'list_tasks', { project: 'Groceries' })).isError).toBe(true);
  });

  it('subtasks: add_task with parent, list_tasks with parent, complete_task with subtasks complete or leave', async () => {
    const user = await api.signUp();
    const client = await connect(user.token);
    const trip = (await call(client, 'add_task', { title: 'Trip' })).data;
    const tickets = await call(client, 'add_task', { title: 'Tickets', parent: trip.id });
    expect(tickets.isError).toBe(false);
    expect(tickets.data).toMatchObject({ parent_id: trip.id, project_id: trip.project_id, subtasks: null });
    await call(client, 'add_task', { title: 'Hotel', parent: trip.id });

    const top = await call(client, 'list_tasks', {});
    expect(top.data.items.map((t: any) => [t.title, t.subtasks])).toEqual([['Trip', { total: 2, done: 0 }]]);
    const subs = await call(client, 'list_tasks', { parent: trip.id, sort_by: 'title' });
    expect(subs.data.items.map((t: any) => t.title)).toEqual(['Hotel', 'Tickets']);

    const deeper = await call(client, 'add_task', { title: 'Seat', parent: tickets.data.id });
    expect(deeper.isError).toBe(true);
    expect(deeper.text).toMatch(/parent_id: that task is a subtask itself; subtasks have one level/);

    const left = await call(client, 'complete_task', { id: trip.id });
    expect(left.data).toMatchObject({ status: 'done', subtasks: { total: 2, done: 0 } });
    await call(client, 'reopen_task', { id: trip.id });
    const all = await call(client, 'complete_task', { id: trip.id, subtasks: 'complete' });
    expect(all.data).toMatchObject({ status: 'done', subtasks: { total: 2, done: 2 } });
    const bad = await call(client, 'complete_task', { id: trip.id, subtasks: 'all' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/expected one of "complete"\|"leave" at subtasks/);
  });

  it("keeps each user's data to themselves: another user's ids are simply not found", async () => {
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    const secret = await call(a, 'add_task', { title: 'Alice secret plan', tags: ['private'] });
    const aliceTag = (await call(a, 'list_tags')).data.items.find((t: any) => t.name === 'private');
    expect((await call(b, 'list_tasks', { search: 'secret' })).data.items).toEqual([]);
    expect((await call(b, 'list_tags')).data.items).toEqual([]);
    const series = await call(a, 'add_task', {
      title: 'Alice daily',
      due_at: new Date(Date.now() + 3_600_000).toISOString(),
      recurrence: { rule: 'FREQ=DAILY' },
    });
    const skip = await call(b, 'skip_occurrence', { series_id: series.data.series_id });
    expect(skip.isError).toBe(true);
    expect(skip.text).toMatch(/Series not found/);
    expect((await call(a, 'get_task', { id: series.data.id })).data.status).toBe('todo');
    for (const tool of ['get_task', 'complete_task', 'reopen_task', 'delete_task']) {
      const r = await call(b, tool, { id: secret.data.id });
      expect(r.isError, tool).toBe(true);
    }
    const change = await call(b, 'update_task', { id: secret.data.id, title: 'hijacked' });
    expect(change.isError).toBe(true);
    expect(change.text).toMatch(/no task with that id belongs to you/);
    expect((await call(b, 'set_reminder', { id: secret.data.id, reminders: [5] })).isError).toBe(true);
    expect((await call(b, 'delete_tag', { id: aliceTag.id })).text).toMatch(/Tag not found: .*list_tags/);
    const still = await call(a, 'get_task', { id: secret.data.id });
    expect(still.data).toMatchObject({ title: 'Alice secret plan', status: 'todo' });
  });

  it('answers bad arguments with tool errors an assistant can act on, and keeps serving', async () => {
    const client = await connect(alice.token);
    const badEnum = await call(client, 'add_task', { title: 'x', priority: 'urgent' });
    expect(badEnum.isError).toBe(true);
    expect(badEnum.text).toMatch(/priority/);
    const noTitle = await call(client, 'add_task', { title: '   ' });
    expect(noTitle.isError).toBe(true);
    expect(noTitle.text).toMatch(/title/);
    const badId = await call(client, 'get_task', { id: 'not-a-uuid' });
    expect(badId.isError).toBe(true);
    expect(badId.text).toMatch(/id/);
    const extra = await call(client, 'add_task', { title: 'x', colour: 'red' });
    expect(extra.isError).toBe(true);
    const recurring = await call(client, 'add_task', { title: 'x', recurrence: { rule: 'FREQ=DAILY' } });
    expect(recurring.isError).toBe(true);
    expect(recurring.text).toMatch(/due/);
    const plain = await call(client, 'add_task', { title: 'No due date' });
    const reminder = await call(client, 'set_reminder', { id: plain.data.id, reminders: [10] });
    expect(reminder.isError).toBe(true);
    expect(reminder.text).toMatch(/due_at: recurrence and reminders need a due date/);
    const nothing = await call(client, 'update_task', { id: plain.data.id });
    expect(nothing.isError).toBe(true);
    expect(nothing.text).toMatch(/at least one field/);
    const badCursor = await call(client, 'list_tasks', { cursor: 'garbage' });
    expect(badCursor.isError).toBe(true);
    expect(badCursor.text).toMatch(/cursor/);
    const duplicate = await call(client, 'add_tag', { name: 'dup' });
    expect(duplicate.isError).toBe(false);
    expect((await call(client, 'add_tag', { name: 'DUP' })).text).toMatch(/already have a tag/);
    const unknown = await call(client, 'fly_to_moon', {});
    expect(unknown.isError).toBe(true);
    expect((await client.listTools()).tools).toHaveLength(TASK_TOOLS.length);
  });

  it('turns away callers without a valid token, and GET on the stateless endpoint is 405', async () => {
    await expect(connect(undefined)).rejects.toThrow();
    await expect(connect('not.a.token')).rejects.toThrow();
    const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/mcp`, {
      headers: { authorization: `Bearer ${alice.token}`, accept: 'text/event-stream' },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
