// The load mix's SQL straight through `pg`: the physical reference for the capacity figure. Each request
// issues the round trips our handlers issue today (the session check, then the listing or the write's
// statements, statement for statement as in core/src/tasks/list-tasks.ts and task-writes.ts), with no
// HTTP, routing, validation, JSON or event delivery around them.
import { randomUUID } from 'node:crypto';
import type { Database } from '@todo/core/db/types';
import { EVENT_TOPIC, makeCloudEvent } from '@todo/core/events';
import { ListTasksQuery } from '@todo/core/schemas';
import { buildListTasksQuery } from '@todo/core/tasks/list-tasks';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { LIST_QUERY, newTaskBody } from './load-http.ts';
import type { MixClient } from './load-mix.ts';

/** A load user as the reference sees them: who, their session, and their listing compiled to SQL. */
interface RawUser {
  id: string;
  sessionId: string;
  listing: { sql: string; parameters: readonly unknown[] };
}

/** The session id (`sid`) an access token carries; the reference checks the same session row. */
const TokenClaims = z.object({ sid: z.string() });
const sessionOf = (token: string) =>
  TokenClaims.parse(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())).sid;

// auth: isSessionActive (accounts/sessions.ts), on every authenticated request. Prepared (named), as
// ours' compiledOnce queries are on every connection (db/compiled-once.ts preparesOnceCompiled).
const SESSION_CHECK = `select 1 as "on" from sessions
  where id = $1 and user_id = $2 and revoked_at is null and expires_at > now()`;
// listTasks: the session check with the caller's memberships (sessionWithMemberships, list-tasks'
// readMemberships), then the listing itself (compiled per user by buildListTasksQuery).
const SESSION_WITH_MEMBERSHIPS = `select
    coalesce(array_agg(pm.project_id::text) filter (where pm.project_id is not null), '{}') as member,
    coalesce(array_agg(pm.project_id::text) filter (where p.shared), '{}') as shared
  from sessions s
  left join project_members pm on pm.user_id = s.user_id
  left join projects p on p.id = pm.project_id
  where s.id = $1 and s.user_id = $2 and s.revoked_at is null and s.expires_at > now()
  group by s.id`;
// queueTaskEvent (runtime/outbox.ts) after a CTE `task` whose id is $1: the outbox row, its project and
// time zone from the row (and its tags, when the statement decides them), then the row and a NOTIFY. Its
// event id, topic, type and JSON are $p to $p+3.
const queuedFromTask = (p: number, tags?: string) => {
  const fromRow = `jsonb_set(jsonb_set($${p + 3}::jsonb,
      '{data,task,project_id}', to_jsonb(task.project_id)), '{data,task,time_zone}', to_jsonb(task.time_zone))`;
  const json = tags ? `jsonb_set(${fromRow}, '{data,task,tags}', (${tags})::jsonb)` : fromRow;
  return `queued as (
    insert into outbox (event_id, topic, partition_key, event_type, cloud_event, sent_at)
    select $${p}, $${p + 1}, $1, $${p + 2}, ${json}, now() from task)
  select task.*, ${tags ? `${tags} as tags, ` : ''}pg_notify('bench_raw_outbox', '') from task`;
};
// A write's named tags as a CTE `tag` holds them (tag-queries.ts namedTagsCtes), in list-tasks.ts's
// order (tagArray, tagNameList).
const TAG_ORDER = `lower(tag.name) collate "C", tag.name collate "C"`;
const TAG_ARRAY = `(select coalesce(json_agg(json_build_object('id', tag.id, 'name', tag.name)
    order by ${TAG_ORDER}), '[]') from tag)`;
// createTask of an Inbox task tagged by name (task-writes.ts insertTask): no transaction; one statement
// creates the missing tags and inserts the task, its tag links and its outbox row, whose task fields the
// statement decides (project, time zone, tags) come from it. The reference's outbox rows go in already
// sent and notify a channel nobody listens on, so no relay spends the reference's time delivering them
// (ours pays for its own events).
const CREATE_TASK = `with created as (
    insert into tags (user_id, name) select $2::uuid, n from unnest($5::text[]) as n
    on conflict (user_id, lower(name)) do nothing returning id, name),
  tag as (
    select id, name from created
    union all
    select id, name from tags
    where user_id = $2 and lower(name) in (select lower(n) from unnest($5::text[]) as n)),
  task as (
    insert into tasks (id, user_id, project_id, parent_id, title, description, status, priority,
      due_at, time_zone, series_id, reminder_offsets, tag_names, created_at, updated_at, completed_at)
    values ($1, $2, (select id from projects where user_id = $2 and is_inbox), null, $3, '', 'todo', $4,
      null, (select time_zone from users where id = $2), null, '{}',
      (select string_agg(tag.name, ' ' order by ${TAG_ORDER}) from tag having count(*) = $7), $6, $6, null)
    returning *),
  tagged as (insert into task_tags (task_id, tag_id) select $1, id from tag),
  ${queuedFromTask(8, TAG_ARRAY)}`;
// completeTask → changeTaskIn: loadForUpdate (the row locked with the caller's membership, its subtask
// counts and tags), then the update with its outbox row in one statement (queueTaskEvent).
const SUBTASKS = `(case when t.parent_id is null then
  (select json_build_object('total', count(*), 'done', count(*) filter (where c.status = 'done'))
   from tasks c where c.parent_id = t.id) end) as subtasks`;
const TAGS = `(select coalesce(json_agg(json_build_object('id', g.id, 'name', g.name)
    order by lower(g.name) collate "C", g.name collate "C"), '[]')
  from task_tags tt join tags g on g.id = tt.tag_id where tt.task_id = t.id) as tags`;
const LOCK_TASK = `select t.*, pm.role, ${SUBTASKS}, ${TAGS} from tasks t
  inner join project_members pm on pm.project_id = t.project_id and pm.user_id = $2
  where t.id = $1 for update of t for key share of pm`;
const COMPLETE_TASK = `with task as (
    update tasks set status = 'done', completed_at = $2, updated_at = $2 where id = $1 returning *),
  ${queuedFromTask(3)}`;

/** A new task as its TaskCreated carries it (the shape of toTaskJson), so the reference's row is as big. */
const eventTask = (id: string, body: ReturnType<typeof newTaskBody>, tags: unknown[], now: Date) => ({
  id,
  title: body.title,
  description: '',
  status: 'todo',
  priority: body.priority,
  tags,
  due_at: null,
  time_zone: '',
  recurrence: null,
  series_id: null,
  project_id: '',
  parent_id: null,
  subtasks: { total: 0, done: 0 },
  assignee_id: null,
  reminders: [],
  created_at: now.toISOString(),
  updated_at: now.toISOString(),
  completed_at: null,
});

export interface RawMix extends MixClient {
  close(): Promise<void>;
}

/**
 * A pg.Pool of `poolMax` connections (our server's pool size) running the mix for `users` (ids and
 * access tokens of the load users; the listing is compiled for each with `db`, not run through it).
 */
export async function rawMix(
  db: Kysely<Database>,
  databaseUrl: string,
  poolMax: number,
  users: { id: string; token: string }[],
): Promise<RawMix> {
  const query = ListTasksQuery.parse(LIST_QUERY);
  const prepared: RawUser[] = await Promise.all(
    users.map(async ({ id, token }) => {
      const built = await buildListTasksQuery(db, id, query);
      if (!built) throw new Error('the load listing filters by a tag; the reference expects none');
      return { id, sessionId: sessionOf(token), listing: built.query.compile() };
    }),
  );
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  let created = 0;

  /** The session check (by default; a list's reads its memberships too), as a named statement. */
  const checkSession = async (u: RawUser, name = 'session_check', text = SESSION_CHECK) => {
    const { rowCount } = await pool.query({ name, text, values: [u.sessionId, u.id] });
    if (!rowCount) throw new Error('session not active');
  };

  /** One transaction on one pooled connection, rolled back on any error. */
  const transaction = async <T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const out = await work(client);
      await client.query('commit');
      return out;
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  };

  return {
    async list(user) {
      const u = prepared[user]!;
      await checkSession(u, 'session_with_memberships', SESSION_WITH_MEMBERSHIPS);
      await pool.query(u.listing.sql, u.listing.parameters as unknown[]);
    },
    async create(user) {
      const u = prepared[user]!;
      await checkSession(u);
      const body = newTaskBody(created++);
      const names = body.tags;
      const id = randomUUID();
      const now = new Date();
      const type = 'TaskCreated.v1';
      const event = makeCloudEvent(
        type,
        { task: eventTask(id, body, [], now), previous: null, user_id: u.id } as never,
        { source: 'bench-raw', subject: id },
      );
      await pool.query(CREATE_TASK, [
        id,
        u.id,
        body.title,
        body.priority,
        names,
        now,
        names.length,
        event.id,
        EVENT_TOPIC[type],
        type,
        JSON.stringify(event),
      ]);
      return id;
    },
    async complete(user, taskId) {
      const u = prepared[user]!;
      await checkSession(u);
      await transaction(async (c) => {
        const locked = await c.query<Record<string, unknown>>(LOCK_TASK, [taskId, u.id]);
        if (!locked.rows[0]) throw new Error('complete: no such task');
        const now = new Date();
        const task = { ...locked.rows[0], status: 'done', completed_at: now, updated_at: now };
        const type = 'TaskCompleted.v1';
        const event = makeCloudEvent(type, { task, previous: locked.rows[0], user_id: u.id } as never, {
          source: 'bench-raw',
          subject: taskId,
        });
        await c.query(COMPLETE_TASK, [taskId, now, event.id, EVENT_TOPIC[type], type, JSON.stringify(event)]);
      });
    },
    close: () => pool.end(),
  };
}
