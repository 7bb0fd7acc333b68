import { createLogger } from '@todo/core';
import { STREAM_TICKET_CLAIMS } from '@todo/core/accounts/auth';
import { signHs256 } from '@todo/core/accounts/jwt';
import { LIVE_NOTIFICATIONS_CHANNEL } from '@todo/core/reminders/notifications';
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

/** What a browser does: a stream ticket for its bearer token, then the EventSource URL with it. */
async function ticketFor(user: TestUser): Promise<string> {
  const res = await api.json('POST', '/api/v1/notifications/stream-ticket', { token: user.token });
  expect(res.status).toBe(201);
  expect(res.body.expires_in).toBe(60);
  return res.body.ticket;
}
const streamUrl = async (user: TestUser) => `/api/v1/notifications/stream?ticket=${await ticketFor(user)}`;

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
  it('pushes a new notification to its owner, authenticated with a ?ticket= as EventSource must', async () => {
    const owner = await api.signUp();
    const other = await api.signUp();
    const mine = sseReader(await openStream(await streamUrl(owner)));
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
    const first = sseReader(await openStream(await streamUrl(user)));
    await first.until('ready');
    await remindNow(user, 'Seen');
    const seen = await first.until('notification');
    await first.close();
    await remindNow(user, 'Missed');
    const again = sseReader(await openStream(await streamUrl(user), { 'last-event-id': seen.id! }));
    expect(JSON.parse((await again.next()).data).title).toBe('Missed');
    expect((await again.next()).event).toBe('ready');
    await again.close();
  });

  it('refuses a missing or bad credential with 401 problem+json, and an access token in the URL', async () => {
    const user = await api.signUp();
    const none = await openStream('/api/v1/notifications/stream');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await openStream('/api/v1/notifications/stream?ticket=forged')).status).toBe(401);
    // ?token= is no longer read, valid or not; nor is an access token taken for a ticket.
    const asToken = await openStream(`/api/v1/notifications/stream?token=${user.token}`);
    expect(asToken.status).toBe(401);
    expect(((await asToken.json()) as { detail: string }).detail).toContain('ticket');
    expect((await openStream(`/api/v1/notifications/stream?ticket=${user.token}`)).status).toBe(401);
    // An expired ticket.
    const now = Math.floor(Date.now() / 1000);
    const sid = JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()).sid;
    const stale = signHs256({ ...STREAM_TICKET_CLAIMS, sub: user.id, sid, exp: now - 1 }, TEST_JWT_SECRET);
    expect((await openStream(`/api/v1/notifications/stream?ticket=${stale}`)).status).toBe(401);
  });

  it('a ticket is for the stream only: as a bearer token anywhere else it is a 401', async () => {
    const user = await api.signUp();
    const ticket = await ticketFor(user);
    expect((await api.json('GET', '/api/v1/tasks', { token: ticket })).status).toBe(401);
    expect((await api.json('POST', '/api/v1/notifications/stream-ticket', { token: ticket })).status).toBe(
      401,
    );
    expect((await api.json('GET', '/api/v1/auth/me', { token: ticket })).status).toBe(401);
    expect((await api.json('POST', '/api/v1/notifications/stream-ticket')).status).toBe(401);
  });

  it("a logged-out session's tickets open nothing", async () => {
    const user = await api.signUp();
    const url = await streamUrl(user);
    expect((await api.call('POST', '/api/v1/auth/logout', { token: user.token })).status).toBe(204);
    expect((await openStream(url)).status).toBe(401);
  });

  it('a malformed NOTIFY payload is skipped; the stream keeps going', async () => {
    const user = await api.signUp();
    const stream = sseReader(await openStream(await streamUrl(user)));
    await stream.until('ready');
    for (const payload of ['not json {', '{"user_id": 42}', JSON.stringify({ user_id: user.id })])
      await sql`select pg_notify(${LIVE_NOTIFICATIONS_CHANNEL}, ${payload})`.execute(api.stack.db);
    await remindNow(user, 'After the garbage');
    expect(JSON.parse((await stream.until('notification')).data).title).toBe('After the garbage');
    await stream.close();
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
    const stream = sseReader(
      await app.request('/api/v1/notifications/stream', {
        headers: { authorization: `Bearer ${user.token}` },
      }),
    );
    await stream.until('ready');
    expect(hub.listening).toBe(true);
    await stream.close();
    await eventually('the LISTEN connection is released', async () => !hub.listening);
  });

  it('caps open streams per account (429) and per replica (503), and frees a slot when one closes', async () => {
    const config = { ...api.stack.deps.config, LIVE_MAX_STREAMS_PER_USER: 2, LIVE_MAX_STREAMS: 3 };
    const app = liveApp({ ...api.stack.deps, config, jwtSecret: TEST_JWT_SECRET }, hub);
    const [ana, bo] = [await api.signUp(), await api.signUp()];
    const open = async (user: TestUser) =>
      app.request('/api/v1/notifications/stream', { headers: { authorization: `Bearer ${user.token}` } });
    const streams = [];
    for (const user of [ana, ana, bo]) {
      const res = await open(user);
      expect(res.status).toBe(200);
      const reader = sseReader(res);
      await reader.until('ready');
      streams.push(reader);
    }
    const third = await open(ana);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
    const full = await open(bo);
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBeTruthy();

    await streams.shift()!.close();
    const again = await eventually('a slot is free again', async () => {
      const res = await open(ana);
      if (res.status === 200) return res;
      await res.body?.cancel();
      return undefined;
    });
    streams.push(sseReader(again));
    for (const s of streams) await s.close();
  });
});

describe('live: sharing (issue 13)', () => {
  it("a removed member's open stream stops receiving the project's reminders at once", async () => {
    const a = await api.signUp();
    const b = await api.signUp();
    const project = (await api.json('POST', '/api/v1/projects', { token: a.token, body: { name: 'Shared' } }))
      .body;
    const inv = await api.json('POST', `/api/v1/projects/${project.id}/invitations`, {
      token: a.token,
      body: { email: b.email, role: 'editor' },
    });
    expect(
      (await api.json('POST', `/api/v1/invitations/${inv.body.id}/accept`, { token: b.token })).status,
    ).toBe(200);
    const stream = sseReader(await openStream(await streamUrl(b)));
    await stream.until('ready');

    // While a member, B's reminder of a task in the shared project reaches B's stream.
    const before = await api.json('POST', '/api/v1/tasks', {
      token: b.token,
      body: {
        title: 'While shared',
        project_id: project.id,
        due_at: new Date(Date.now() + HOUR).toISOString(),
        reminders: [120],
      },
    });
    expect(JSON.parse((await stream.until('notification')).data)).toMatchObject({ task_id: before.body.id });

    // B's other task there gets a reminder after B is removed (set by A, still an owner): it is not sent.
    const later = await api.json('POST', '/api/v1/tasks', {
      token: b.token,
      body: {
        title: 'After removal',
        project_id: project.id,
        due_at: new Date(Date.now() + HOUR).toISOString(),
      },
    });
    expect(
      (await api.json('DELETE', `/api/v1/projects/${project.id}/members/${b.id}`, { token: a.token })).status,
    ).toBe(204);
    expect(
      (
        await api.json('PATCH', `/api/v1/tasks/${later.body.id}`, {
          token: a.token,
          body: { reminders: [120] },
        })
      ).status,
    ).toBe(200);
    await eventually('the reminder is recorded as not sent', async () => {
      await api.stack.transport.settle();
      const { rows } = await sql<{ detail: string | null }>`select detail from reminder_deliveries
        where task_id = ${later.body.id} and channel = 'in_app'`.execute(api.stack.db);
      return rows[0]?.detail === 'not sent: no longer a member of the project';
    });
    // The next notification on B's stream is B's own, not the project's.
    const own = await remindNow(b, 'In my Inbox');
    expect(JSON.parse((await stream.until('notification')).data)).toMatchObject({ task_id: own });
    await stream.close();
  });
});

describe('live: task changes between members (issue 13)', () => {
  it("pushes another member's task changes in a shared project — not your own, not a project you are not in, and nothing once removed", async () => {
    const a = await api.signUp();
    const b = await api.signUp();
    const sharedProject = async (name: string) => {
      const project = (await api.json('POST', '/api/v1/projects', { token: a.token, body: { name } })).body;
      const inv = await api.json('POST', `/api/v1/projects/${project.id}/invitations`, {
        token: a.token,
        body: { email: b.email, role: 'editor' },
      });
      await api.json('POST', `/api/v1/invitations/${inv.body.id}/accept`, { token: b.token });
      return project.id as string;
    };
    const [first, second] = [await sharedProject('First'), await sharedProject('Second')];
    const aStream = sseReader(await openStream(await streamUrl(a)));
    const bStream = sseReader(await openStream(await streamUrl(b)));
    await aStream.until('ready');
    await bStream.until('ready');
    const nextChange = async (stream: ReturnType<typeof sseReader>) =>
      JSON.parse((await stream.until('tasks')).data).project_id;
    const create = async (project?: string) =>
      (await api.json('POST', '/api/v1/tasks', { token: a.token, body: { title: 'T', project_id: project } }))
        .body.id as string;

    // A's private task (B must not hear of it), then one in Second, then one in First: B hears of the
    // last two, in order.
    await create();
    const inSecond = await create(second);
    const inFirst = await create(first);
    expect(await nextChange(bStream)).toBe(second);
    expect(await nextChange(bStream)).toBe(first);

    // B completes the one in First: A hears of it — and of nothing of A's own (that would be Second).
    await api.json('POST', `/api/v1/tasks/${inFirst}/complete`, { token: b.token });
    expect(await nextChange(aStream)).toBe(first);
    // A renames the one in Second: B's next change is that one, not B's own completion in First.
    await api.json('PATCH', `/api/v1/tasks/${inSecond}`, { token: a.token, body: { title: 'Renamed' } });
    expect(await nextChange(bStream)).toBe(second);

    // Removed from Second, B hears nothing more of it: the next event on B's stream is B's own reminder.
    await api.json('DELETE', `/api/v1/projects/${second}/members/${b.id}`, { token: a.token });
    await api.json('PATCH', `/api/v1/tasks/${inSecond}`, { token: a.token, body: { title: 'After' } });
    const own = await remindNow(b, 'Mine');
    const next = await bStream.next();
    expect(next.event).toBe('notification');
    expect(JSON.parse(next.data)).toMatchObject({ task_id: own });
    await aStream.close();
    await bStream.close();
  });
});
