import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

async function auditOf(entityId: string) {
  return api.stack.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_id', '=', entityId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

async function outboxEvent(taskId: string, type: string) {
  const row = await api.stack.db
    .selectFrom('outbox')
    .select('cloud_event')
    .where('partition_key', '=', taskId)
    .where('event_type', '=', type)
    .executeTakeFirstOrThrow();
  return row.cloud_event;
}

/** Delivers a CloudEvent to the audit function as daprd would. */
async function deliver(body: unknown) {
  const res = await api.stack.eventApps.audit!.fetch(
    new Request('http://audit/events/task-events', {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', 'dapr-api-token': api.stack.deps.appToken! },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  return { status: res.status, body: await res.json() };
}

describe('audit', () => {
  it('embedded mode: an event without the per-process app token is refused, and never recorded', async () => {
    const user = await api.signUp();
    const forged = {
      specversion: '1.0',
      id: 'forged-1',
      source: 'attacker',
      type: 'TaskCreated.v1',
      subject: user.id,
      data: { user_id: user.id },
    };
    for (const token of [undefined, 'guess-guess-guess-guess']) {
      const res = await api.stack.eventApps.audit!.fetch(
        new Request('http://audit/events/task-events', {
          method: 'POST',
          headers: {
            'content-type': 'application/cloudevents+json',
            ...(token ? { 'dapr-api-token': token } : {}),
          },
          body: JSON.stringify(forged),
        }),
      );
      expect(res.status).toBe(401);
    }
    const clock = await api.stack.eventApps.clock!.fetch(
      new Request('http://clock/job/reminder-forged', { method: 'POST', body: '{}' }),
    );
    expect(clock.status).toBe(401);
  });

  it('records every task event with actor, time, type and before/after, through the local transport', async () => {
    const user = await api.signUp();
    const created = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Audit me' },
    });
    const id = created.body.id as string;
    await api.json('PATCH', `/api/v1/tasks/${id}`, { token: user.token, body: { title: 'Audited' } });
    await api.json('POST', `/api/v1/tasks/${id}/complete`, { token: user.token });
    await api.call('DELETE', `/api/v1/tasks/${id}`, { token: user.token });
    await api.stack.transport.settle();

    const rows = await auditOf(id);
    expect(rows.map((r) => r.event_type)).toEqual([
      'TaskCreated.v1',
      'TaskUpdated.v1',
      'TaskCompleted.v1',
      'TaskDeleted.v1',
    ]);
    expect(rows.every((r) => r.actor === `user:${user.id}` && r.user_id === user.id)).toBe(true);
    expect(rows[0]).toMatchObject({ before: null, after: { title: 'Audit me' } });
    expect(rows[1]).toMatchObject({ before: { title: 'Audit me' }, after: { title: 'Audited' } });
    expect(rows[3]?.after).toBeNull();
  });

  it('the same event delivered twice, and concurrently, is recorded once', async () => {
    const user = await api.signUp();
    const created = await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'Once' } });
    const event = await outboxEvent(created.body.id, 'TaskCreated.v1');
    const replies = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(replies.map((r) => r.body.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    await deliver(event);
    await api.stack.transport.settle();
    expect(await auditOf(created.body.id)).toHaveLength(1);
  });

  it('DROPs a malformed or unknown event (→ dead letter) instead of retrying it', async () => {
    expect((await deliver('{not json')).body).toEqual({ status: 'DROP' });
    const bad = {
      specversion: '1.0',
      id: 'x',
      source: 's',
      type: 'TaskCreated.v1',
      time: 'now',
      data: { nope: 1 },
    };
    expect((await deliver(bad)).body).toEqual({ status: 'DROP' });
    expect((await deliver({ ...bad, type: 'Nonsense.v9' })).body).toEqual({ status: 'DROP' });
  });
});
