import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/types.ts';
import { type Memberships, membershipsOf, visibleProjects } from '../projects/access.ts';
import { decodeCursor, encodeCursor } from '../runtime/cursor.ts';
import { isStorableText, isUuid, type ListTasksQuery, type SubtaskCounts, type TaskOut } from '../schemas.ts';
import { resolveTagsForFilter } from '../tags/tag-queries.ts';
import { type TaskTag, toTaskJson } from './task-json.ts';

type SortBy = ListTasksQuery['sort_by'];
type Order = 'asc' | 'desc';

/** The natural direction of each sort: newest first, most urgent first, soonest first, A to Z. */
const DEFAULT_ORDER: Record<SortBy, Order> = {
  created_at: 'desc',
  priority: 'desc',
  due_date: 'asc',
  title: 'asc',
};

/**
 * Sort keys as SQL, matching the indexes in the initial migration. Tasks without a due date sort last in
 * both directions, hence a different sentinel per direction; the key's SQL type casts the cursor back.
 */
function sortKey(sortBy: SortBy, order: Order): { expr: Expression<unknown>; type: string } {
  switch (sortBy) {
    case 'created_at':
      return { expr: sql`t.created_at`, type: 'timestamptz' };
    case 'priority':
      return { expr: sql`t.priority_rank`, type: 'smallint' };
    case 'title':
      return { expr: sql`lower(t.title)`, type: 'text' };
    case 'due_date':
      return order === 'asc'
        ? { expr: sql`coalesce(t.due_at, 'infinity'::timestamptz)`, type: 'timestamptz' }
        : { expr: sql`coalesce(t.due_at, '-infinity'::timestamptz)`, type: 'timestamptz' };
  }
}

/**
 * What a cursor carries, checked before any of it reaches SQL: a hand-made cursor whose key is not a
 * value of the sort key's type (or whose id is not a UUID) made Postgres fail the cast — a 500.
 */
const KEY_FORMAT: Record<string, (k: string) => boolean> = {
  // Postgres' ISO output of timestamptz (DateStyle ISO), or the sentinels of tasks without a due date.
  timestamptz: (k) =>
    /^(?:-?infinity|\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]) (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?[+-](?:0\d|1[0-5])(?::[0-5]\d){0,2})$/.test(
      k,
    ),
  smallint: (k) => /^-?\d{1,5}$/.test(k) && Math.abs(Number(k)) <= 32_767,
  text: (k) => isStorableText(k) && k.length <= 500,
};

/** A cursor of this listing: made for one sort, carrying the last row's sort key and id. */
const listingCursor = (sort: string, keyType: string) =>
  z.object({
    /** sort_by:order the cursor was made for; a cursor is only valid for the same sort. */
    s: z.literal(sort),
    /** The sort key of the last row, as Postgres text, so no precision is lost. */
    k: z.string().refine((k) => KEY_FORMAT[keyType]?.(k) ?? false),
    id: z.string().refine(isUuid),
  });

const decodeListingCursor = (raw: string, sort: string, keyType: string) =>
  decodeCursor(
    raw,
    listingCursor(sort, keyType),
    'not a cursor from this listing (sort_by and order must stay the same)',
  );

/** `%`, `_` and `\` are wildcards in LIKE; a search for them means the characters themselves. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

const tagOrder = (g: string) =>
  sql`lower(${sql.ref(`${g}.name`)}) collate "C", ${sql.ref(`${g}.name`)} collate "C"`;

/** The tags aliased `g` in a query's rows as a JSON array of {id, name}, in tagsJson's order ('[]' for none). */
export const tagArray = (g: string) =>
  sql<
    TaskTag[]
  >`coalesce(json_agg(json_build_object('id', ${sql.ref(`${g}.id`)}, 'name', ${sql.ref(`${g}.name`)})
    order by ${tagOrder(g)}), '[]')`;

/** The tags aliased `g` as a task's tag_names (the search column's part): their names, in tagsJson's order. */
export const tagNameList = (g: string) =>
  sql<string>`string_agg(${sql.ref(`${g}.name`)}, ' ' order by ${tagOrder(g)})`;

/**
 * A task's tags as JSON in the same query, so a page costs one round trip. Ordered as compareTagNames
 * orders them (case-insensitive, then code points; "C" so the database's collation cannot disagree), so
 * a write's response and a later read list a task's tags alike. Reads a task aliased `t`.
 */
export const tagsJson = sql<TaskTag[]>`(select ${tagArray('g')}
  from task_tags tt join tags g on g.id = tt.tag_id where tt.task_id = t.id)`;

/**
 * A task's subtask counts in the same query, as tagsJson has its tags: an index probe into the partial
 * tasks_parent_created (only subtasks are in it), skipped for a subtask, which cannot have any (null).
 * Reads a task aliased `t`.
 */
export const subtaskCounts = sql<SubtaskCounts | null>`(case when t.parent_id is null then
  (select json_build_object('total', count(*), 'done', count(*) filter (where c.status = 'done'))
   from tasks c where c.parent_id = t.id) end)`;

export interface TaskListing {
  items: TaskOut[];
  next_cursor: string | null;
}

/** Builds the listing query; exported so the benchmark can run the very same SQL through bare `pg`. */
export async function buildListTasksQuery(
  db: Kysely<Database>,
  userId: string,
  q: ListTasksQuery,
  /** The caller's memberships when already read (with the session check); read here otherwise. */
  memberships?: Memberships,
) {
  const order = q.order ?? DEFAULT_ORDER[q.sort_by];
  const sortName = `${q.sort_by}:${order}`;
  const key = sortKey(q.sort_by, order);
  const tagIds = q.tags?.length ? await resolveTagsForFilter(db, userId, q.tags) : [];
  if (tagIds === null) return null; // a tag the caller does not have: nothing can match

  let query = db
    .selectFrom('tasks as t')
    .selectAll('t')
    .select(sql<string>`(${key.expr})::text`.as('sort_key'))
    .select(tagsJson.as('tags'))
    .select(subtaskCounts.as('subtasks'));
  // Scoped by membership (sharing, projects/access.ts): through the project when one is asked for (one the
  // caller is a member of, else nothing), so the plan reads that project's rows by tasks_project_created;
  // otherwise every project the caller is a member of: their own tasks there, read by the per-user
  // indexes (search, sort and cursor plan as before sharing), plus everyone's tasks in the shared ones
  // (projects.shared). The ids go in as arrays, not subqueries: "project in (the caller's memberships)"
  // let the planner scan the whole table for a search (8 ms → 245 ms in the bench).
  if (q.project) {
    query = query.where(
      't.project_id',
      '=',
      sql<string>`(select pm.project_id from project_members pm
        where pm.project_id = ${q.project} and pm.user_id = ${userId})`,
    );
  } else {
    const { member, shared } = memberships ?? (await membershipsOf(db, userId));
    // `is true` keeps the membership test a row filter: as an index condition the planner ANDed the
    // caller's whole project range (100k rows) into every search's bitmap (+35 ms).
    const own = sql<SqlBool>`(t.user_id = ${userId} and (t.project_id = any(${member}::uuid[])) is true)`;
    query = query.where(
      shared.length ? sql<SqlBool>`(${own} or t.project_id = any(${shared}::uuid[]))` : own,
    );
  }

  // A task's subtasks with ?parent=; otherwise the top-level tasks (the web shows subtasks under their
  // parent, fetched by it), except in a search or a listing by assignee, where a subtask matches like any
  // task (a subtask assigned to me is one of my tasks).
  if (q.parent) query = query.where('t.parent_id', '=', q.parent);
  else if (!q.search && !q.assignee) query = query.where('t.parent_id', 'is', null);
  if (q.assignee === 'none') query = query.where('t.assignee_id', 'is', null);
  else if (q.assignee) {
    query = query.where('t.assignee_id', '=', q.assignee === 'me' ? userId : q.assignee.toLowerCase());
  }

  for (const word of q.search?.toLowerCase().split(/\s+/).filter(Boolean) ?? []) {
    query = query.where(sql<SqlBool>`t.search_text like ${`%${escapeLike(word)}%`}`);
  }
  if (q.status?.length) query = query.where('t.status', 'in', q.status);
  if (q.priority?.length) query = query.where('t.priority', 'in', q.priority);
  if (q.series_id) query = query.where('t.series_id', '=', q.series_id);
  if (q.due_from) query = query.where('t.due_at', '>=', new Date(q.due_from));
  if (q.due_to) query = query.where('t.due_at', '<=', new Date(q.due_to));
  if (q.overdue === true)
    query = query.where('t.due_at', '<', sql<Date>`now()`).where('t.status', '<>', 'done');
  if (q.overdue === false) {
    query = query.where(sql<SqlBool>`(t.due_at is null or t.due_at >= now() or t.status = 'done')`);
  }
  for (const tagId of tagIds) {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('task_tags as tt')
          .select('tt.tag_id')
          .whereRef('tt.task_id', '=', 't.id')
          .where('tt.tag_id', '=', tagId),
      ),
    );
  }
  if (q.cursor) {
    const c = decodeListingCursor(q.cursor, sortName, key.type);
    const cmp = order === 'asc' ? sql.raw('>') : sql.raw('<');
    query = query.where(
      sql<SqlBool>`(${key.expr}, t.id) ${cmp} (${c.k}::${sql.raw(key.type)}, ${c.id}::uuid)`,
    );
  }
  return {
    sortName,
    query: query
      .orderBy(key.expr, order)
      .orderBy('t.id', order)
      .limit(q.limit + 1),
  };
}

/** The tasks of the caller's projects (any role) matching every filter, in a stable order, one page at a time. */
export async function listTasks(
  db: Kysely<Database>,
  userId: string,
  q: ListTasksQuery,
  memberships?: Memberships,
): Promise<TaskListing> {
  const built = await buildListTasksQuery(db, userId, q, memberships);
  if (!built) return { items: [], next_cursor: null };
  const rows = await built.query.execute();
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => toTaskJson(r, r.tags)),
    next_cursor:
      rows.length > q.limit && last
        ? encodeCursor({ s: built.sortName, k: last.sort_key, id: last.id })
        : null,
  };
}

export async function getTask(db: Kysely<Database>, userId: string, id: string): Promise<TaskOut | null> {
  const row = await db
    .selectFrom('tasks as t')
    .selectAll('t')
    .select(tagsJson.as('tags'))
    .select(subtaskCounts.as('subtasks'))
    .where('t.id', '=', id)
    .where('t.project_id', 'in', visibleProjects(userId))
    .executeTakeFirst();
  return row ? toTaskJson(row, row.tags) : null;
}
