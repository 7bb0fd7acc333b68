import { createLogger } from '@todo/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/database.ts';
import { TEST_JWT_SECRET, type TestUser, useTestApi } from '../testing/stack.ts';
import { liveApp } from './app.ts';
import { createLiveHub, type LiveHub } from './hub.ts';

const api = useTestApi();
const HOUR = 3_600_000;

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads Server-Sent Events off a streamed response, one at a time. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(): Promise<SseEvent> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue; // keep-alive comment
          const fields = Object.fromEntries(
            block
              .split('\n')
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
          );
          return { event: fields.event ?? 'message', id: fields.id, data: fields.data ?? '' };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    },
    /** Skips events until one named `name` arrives. */
    async until(name: string): Promise<SseEvent> {
      for (;;) {
        const e = await this.next();
        if (e.event === name) return e;
      }
    },
    close: () => reader.cancel(),
  };
}

async function openStream(path: string, headers: Record<string, string> = {}) {
  return api.stack.app.fetch(new Request(`http://test.local${path}`, { headers }));
}

/** A task whose reminder time has passed while it is still ahead: it fires at once (see planReminders). */
async function remindNow(user: TestUser, title: string) {
  const res = await api.json('POST', '/api/v1/tasks', {
    token: user.token,
    body: { title, due_at: new Date(Date.now() + HOUR).toISOString(), reminders: [120] },
  });
  await eventually('the reminder is delivered', async () => {
    await api.stack.transport.settle();
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from notifications where task_id = ${res.body.id}`.execute(api.stack.db);
    return rows[0]!.n === 1;
  });
  return res.body.id as string;
}

describe('live: GET /api/v1/notifications/stream (SSE over LISTEN/NOTIFY)', () => {
  it('pushes a new notification to its owner, authenticated with ?token= as EventSource must', async () => {
    const owner = await api.signUp();
    const other = await api.signUp();
    const mine = sseReader(await openStream(`/api/v1/notifications/stream?token=${owner.token}`));
    const theirs = sseReader(
      await openStream('/api/v1/notifications/stream', { authorization: `Bearer ${other.token}` }),
    );
    expect(JSON.parse((await mine.until('ready')).data)).toEqual({ user_id: owner.id });
    await theirs.until('ready');

    const taskId = await remindNow(owner, 'Pushed');
    const pushed = await mine.until('notification');
    expect(JSON.parse(pushed.data)).toMatchObject({ task_id: taskId, title: 'Pushed', channel: 'in_app' });
    expect(pushed.id).toBe(JSON.parse(pushed.data).id);

    // The other user's first notification is their own: the owner's never reached their stream.
    await remindNow(other, 'Theirs');
    expect(JSON.parse((await theirs.until('notification')).data).title).toBe('Theirs');
    await mine.close();
    await theirs.close();
  });

  it('replays what a reconnecting EventSource missed after its Last-Event-ID', async () => {
    const user = await api.signUp();
    const first = sseReader(await openStream(`/api/v1/notifications/stream?token=${user.token}`));
    await first.until('ready');
    await remindNow(user, 'Seen');
    const seen = await first.until('notification');
    await first.close();
    await remindNow(user, 'Missed');
    const again = sseReader(
      await openStream(`/api/v1/notifications/stream?token=${user.token}`, { 'last-event-id': seen.id! }),
    );
    expect(JSON.parse((await again.next()).data).title).toBe('Missed');
    expect((await again.next()).event).toBe('ready');
    await again.close();
  });

  it('refuses a missing or bad token with 401 problem+json', async () => {
    const none = await openStream('/api/v1/notifications/stream');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await openStream('/api/v1/notifications/stream?token=forged')).status).toBe(401);
  });
});

describe('live hub', () => {
  let hub: LiveHub;
  beforeAll(() => {
    hub = createLiveHub({ databaseUrl: api.databaseUrl, log: createLogger('silent') });
  });
  afterAll(() => hub.close());

  it('LISTENs only while someone is connected', async () => {
    const app = liveApp({ ...api.stack.deps, jwtSecret: TEST_JWT_SECRET }, hub);
    const user = await api.signUp();
    expect(hub.listening).toBe(false);
    const stream = sseReader(await app.request(`/api/v1/notifications/stream?token=${user.token}`));
    await stream.until('ready');
    expect(hub.listening).toBe(true);
    await stream.close();
    await eventually('the LISTEN connection is released', async () => !hub.listening);
  });
});
