import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { sharingCalls } from '../testing/sharing-calls.ts';
import { useTestApi } from '../testing/stack.ts';

/**
 * Assignees (issue 13): assigning a task of a shared project to a member, whose reminders then ring for
 * them; removal and demotion unassign; the audit log names who did each change. Through the gateway, with
 * the local stack's real event delivery, reminder scheduling and job runner.
 */
const api = useTestApi({ background: false });

const { ok, share } = sharingCalls(api);

/** A project of A's shared with B (editor) and C (viewer). */
async function team() {
  const [a, b, c] = [await api.signUp(), await api.signUp(), await api.signUp()];
  const project = await ok(a, 'POST', '/api/v1/projects', { name: 'Launch' });
  await share(a, project.id, b, 'editor');
  await share(a, project.id, c, 'viewer');
  return { a, b, c, project };
}

/** The reminder job of a task's offset, as the local scheduler holds it (whom its data names). */
const reminderJob = async (taskId: string, offset: number) =>
  api.stack.db
    .selectFrom('scheduled_jobs')
    .select(['name', 'data'])
    .where('name', '=', `reminder-${taskId}-${offset}`)
    .executeTakeFirst();

const receiptsOf = async (taskId: string) =>
  (
    await api.stack.db
      .selectFrom('reminder_deliveries')
      .select(['user_id', 'channel', 'status'])
      .where('task_id', '=', taskId)
      .orderBy('channel')
      .execute()
  ).map((r) => `${r.channel}:${r.status}:${r.user_id}`);

const auditOf = async (taskId: string) =>
  (
    await api.stack.db
      .selectFrom('audit_log')
      .select(['event_type', 'actor', 'user_id'])
      .where('entity_id', '=', taskId)
      .orderBy('id')
      .execute()
  ).map((r) => `${r.event_type} by ${r.actor} (of ${r.user_id})`);

const inTwoHours = () => new Date(Date.now() + 2 * 3_600_000).toISOString();

describe('assignees', () => {
  it('assigns to an owner or editor (not a viewer or a stranger), lists by assignee, and moves the reminders with the assignment', async () => {
    const { a, b, c, project } = await team();
    const stranger = await api.signUp();
    const task = await ok(a, 'POST', '/api/v1/tasks', {
      title: 'Write the announcement',
      project_id: project.id,
      due_at: inTwoHours(),
      reminders: [60],
      assignee_id: b.id,
    });
    expect(task.assignee_id).toBe(b.id);
    for (const who of [c, stranger]) {
      const refused = await api.json('PATCH', `/api/v1/tasks/${task.id}`, {
        token: a.token,
        body: { assignee_id: who.id },
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('body.assignee_id');
    }
    // Only yourself in a project nobody shares.
    const mine = await ok(a, 'POST', '/api/v1/tasks', { title: 'Private', assignee_id: a.id });
    expect(mine.assignee_id).toBe(a.id);
    expect(
      (await api.json('POST', '/api/v1/tasks', { token: a.token, body: { title: 'x', assignee_id: b.id } }))
        .status,
    ).toBe(400);

    // Listing by assignee: B's "assigned to me" has it; A's unassigned ones do not.
    const assignedToB = await ok(b, 'GET', '/api/v1/tasks?assignee=me');
    expect(assignedToB.items.map((t: any) => t.id)).toEqual([task.id]);
    expect((await ok(a, 'GET', `/api/v1/tasks?assignee=${b.id}`)).items.map((t: any) => t.id)).toEqual([
      task.id,
    ]);
    expect((await ok(a, 'GET', '/api/v1/tasks?assignee=none')).items.map((t: any) => t.id)).not.toContain(
      task.id,
    );
    expect((await api.json('GET', '/api/v1/tasks?assignee=someone', { token: a.token })).status).toBe(400);

    // Its reminder is scheduled for B, and the receipts are B's.
    await api.settle();
    expect((await reminderJob(task.id, 60))?.data).toMatchObject({ user_id: b.id, task_id: task.id });
    expect(await receiptsOf(task.id)).toEqual([`email:scheduled:${b.id}`, `in_app:scheduled:${b.id}`]);

    // Reassigned to A: the same job now rings for A.
    await ok(b, 'PATCH', `/api/v1/tasks/${task.id}`, { assignee_id: a.id });
    await api.settle();
    expect((await reminderJob(task.id, 60))?.data).toMatchObject({ user_id: a.id });
    expect(await receiptsOf(task.id)).toEqual([`email:scheduled:${a.id}`, `in_app:scheduled:${a.id}`]);

    // Back to B, and the reminder falls due: B gets the notification, A nothing.
    await ok(a, 'PATCH', `/api/v1/tasks/${task.id}`, { assignee_id: b.id });
    await api.settle();
    await sql`update scheduled_jobs set due_at = now() - interval '1 second' where name = ${`reminder-${task.id}-60`}`.execute(
      api.stack.db,
    );
    await api.settle();
    const notes = await api.stack.db
      .selectFrom('notifications')
      .select(['user_id', 'title'])
      .where('task_id', '=', task.id)
      .execute();
    expect(notes).toEqual([{ user_id: b.id, title: 'Write the announcement' }]);
    expect((await ok(b, 'GET', '/api/v1/notifications')).items).toHaveLength(1);
    expect((await ok(a, 'GET', '/api/v1/notifications')).items).toHaveLength(0);

    // A project whose tasks are assigned is deleted like any other (the membership key's set-null and the
    // tasks' cascade in one statement).
    await ok(a, 'DELETE', `/api/v1/projects/${project.id}`, undefined, 204);
    expect((await api.json('GET', `/api/v1/tasks/${task.id}`, { token: a.token })).status).toBe(404);
  });

  it('removing or demoting the assignee unassigns their tasks at once, with an event naming who did it; a job armed for them no longer fires', async () => {
    const { a, b, project } = await team();
    const d = await api.signUp();
    await share(a, project.id, d, 'editor');
    const forB = await ok(a, 'POST', '/api/v1/tasks', {
      title: 'Order swag',
      project_id: project.id,
      due_at: inTwoHours(),
      reminders: [30],
      assignee_id: b.id,
    });
    const forD = await ok(a, 'POST', '/api/v1/tasks', {
      title: 'Book venue',
      project_id: project.id,
      assignee_id: d.id,
    });
    await api.settle();
    const staleJob = (await reminderJob(forB.id, 30))!;
    expect(staleJob.data).toMatchObject({ user_id: b.id });

    await ok(a, 'DELETE', `/api/v1/projects/${project.id}/members/${b.id}`, undefined, 204);
    expect((await ok(a, 'GET', `/api/v1/tasks/${forB.id}`)).assignee_id).toBeNull();
    await ok(a, 'PATCH', `/api/v1/projects/${project.id}/members/${d.id}`, { role: 'viewer' });
    expect((await ok(a, 'GET', `/api/v1/tasks/${forD.id}`)).assignee_id).toBeNull();

    // The job now rings for A (the creator); one armed for B before the removal that fires anyway (it
    // was on its way) is stale: no ReminderDue, nothing for B, and A's receipts stay scheduled.
    await api.settle();
    expect((await reminderJob(forB.id, 30))?.data).toMatchObject({ user_id: a.id });
    const clock = api.stack.eventApps.clock!;
    const fired = await clock.fetch(
      new Request(`http://clock.local/job/${staleJob.name}`, {
        method: 'POST',
        headers: { 'dapr-api-token': api.stack.deps.appToken ?? '', 'content-type': 'application/json' },
        body: JSON.stringify(staleJob.data),
      }),
    );
    expect(fired.status).toBe(200);
    await api.settle();
    const due = await api.stack.db
      .selectFrom('outbox')
      .select('event_id')
      .where('event_type', '=', 'ReminderDue.v1')
      .where('partition_key', '=', forB.id)
      .execute();
    expect(due).toEqual([]);
    expect(await receiptsOf(forB.id)).toEqual([`email:scheduled:${a.id}`, `in_app:scheduled:${a.id}`]);

    expect(await auditOf(forB.id)).toEqual([
      `TaskCreated.v1 by user:${a.id} (of ${a.id})`,
      `TaskUpdated.v1 by user:${a.id} (of ${a.id})`,
    ]);
  });

  it('the audit log names the member who changed a task, not its creator; moving a task clears an assignee who is not in the new project', async () => {
    const { a, b, project } = await team();
    const task = await ok(a, 'POST', '/api/v1/tasks', {
      title: 'Draft',
      project_id: project.id,
      assignee_id: b.id,
    });
    await ok(b, 'PATCH', `/api/v1/tasks/${task.id}`, { title: 'Draft v2' });
    await ok(b, 'POST', `/api/v1/tasks/${task.id}/complete`, undefined, 200);
    await ok(a, 'POST', `/api/v1/tasks/${task.id}/reopen`, undefined, 200);
    // Its subtasks move with it under the same rule: A (an owner there too) stays, B goes.
    const subForA = await ok(a, 'POST', '/api/v1/tasks', {
      title: 'Outline',
      parent_id: task.id,
      assignee_id: a.id,
    });
    const subForB = await ok(a, 'POST', '/api/v1/tasks', {
      title: 'Proofread',
      parent_id: task.id,
      assignee_id: b.id,
    });
    const elsewhere = await ok(a, 'POST', '/api/v1/projects', { name: 'Private' });
    const moved = await ok(a, 'PATCH', `/api/v1/tasks/${task.id}`, { project_id: elsewhere.id });
    expect(moved.assignee_id).toBeNull();
    expect((await ok(a, 'GET', `/api/v1/tasks/${subForA.id}`)).assignee_id).toBe(a.id);
    expect((await ok(a, 'GET', `/api/v1/tasks/${subForB.id}`)).assignee_id).toBeNull();
    await api.settle();
    expect(await auditOf(task.id)).toEqual([
      `TaskCreated.v1 by user:${a.id} (of ${a.id})`,
      `TaskUpdated.v1 by user:${b.id} (of ${a.id})`,
      `TaskCompleted.v1 by user:${b.id} (of ${a.id})`,
      `TaskUpdated.v1 by user:${a.id} (of ${a.id})`,
      `TaskUpdated.v1 by user:${a.id} (of ${a.id})`,
    ]);
  });
});
