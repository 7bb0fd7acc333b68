import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { ProblemError } from '../runtime/errors.ts';
import { isUuid } from '../schemas.ts';
import type { TaskTag } from '../tasks/task-json.ts';

/**
 * Turns tag references (ids or names) into the caller's tags, creating unknown names. An id that is not
 * the caller's is reported exactly like one that does not exist.
 */
export async function resolveTagsForWrite(
  trx: Kysely<Database>,
  userId: string,
  refs: string[],
): Promise<TaskTag[]> {
  const ids = [...new Set(refs.filter(isUuid).map((s) => s.toLowerCase()))];
  const names = distinctNames(refs.filter((r) => !isUuid(r)));
  const found: TaskTag[] = [];
  if (ids.length) {
    const rows = await trx
      .selectFrom('tags')
      .select(['id', 'name'])
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .execute();
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length) {
      throw new ProblemError(
        400,
        `body.tags: no tag with id ${missing.join(', ')}`,
        missing.map(() => ({ field: 'body.tags', message: 'no such tag id' })),
      );
    }
    found.push(...rows);
  }
  if (names.length) found.push(...(await upsertTagsByName(trx, userId, names)));
  const unique = new Map(found.map((t) => [t.id, t]));
  return [...unique.values()].sort(compareTagNames);
}

/** Names that differ only in case name one tag: the last spelling given is the one created. */
const distinctNames = (names: string[]) => [...new Map(names.map((n) => [n.toLowerCase(), n])).values()];

/**
 * The tags a write names, when it names them all by name (no ids, which must be checked first): their
 * distinct names. Null when a reference is an id.
 */
export function tagNamesOnly(refs: string[]): string[] | null {
  return refs.some(isUuid) ? null : distinctNames(refs);
}

/**
 * CTEs for a statement that writes a task with tags given by name: `tag(id, name)` holds every named tag,
 * the missing ones created by the statement (upsertTagsByName's insert and snapshot read, as CTEs). A tag
 * another transaction created meanwhile is in neither, so `tag` may hold fewer rows than `names`: the
 * caller must check the count (see createTask) and fall back to resolveTagsForWrite, which reads again.
 */
export const namedTagsCtes = (userId: string, names: string[]) =>
  sql`created as (
      insert into tags (user_id, name) select ${userId}::uuid, n from unnest(${names}::text[]) as n
      on conflict (user_id, lower(name)) do nothing returning id, name),
    tag as (
      select id, name from created
      union all
      select id, name from tags
      where user_id = ${userId} and lower(name) in (select lower(n) from unnest(${names}::text[]) as n))`;

/**
 * Creates the missing names and returns every named tag in one statement: the new rows from the insert,
 * the old ones from the statement's snapshot. A tag another transaction created meanwhile is in neither,
 * so a short answer is read again (read committed: the second statement sees it).
 */
async function upsertTagsByName(trx: Kysely<Database>, userId: string, names: string[]): Promise<TaskTag[]> {
  const lower = names.map((n) => n.toLowerCase());
  const { rows } = await sql<TaskTag>`with ${namedTagsCtes(userId, names)} select id, name from tag`.execute(
    trx,
  );
  if (rows.length >= names.length) return rows;
  return trx
    .selectFrom('tags')
    .select(['id', 'name'])
    .where('user_id', '=', userId)
    .where(sql<string>`lower(name)`, 'in', lower)
    .execute();
}

/** Looks tags up for filtering without creating any; returns null when one of them does not exist. */
export async function resolveTagsForFilter(
  db: Kysely<Database>,
  userId: string,
  refs: string[],
): Promise<string[] | null> {
  const ids = refs.filter(isUuid).map((s) => s.toLowerCase());
  const names = refs.filter((r) => !isUuid(r)).map((n) => n.toLowerCase());
  const rows = await db
    .selectFrom('tags')
    .select('id')
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or([
        ...(ids.length ? [eb('id', 'in', ids)] : []),
        ...(names.length ? [eb(sql<string>`lower(name)`, 'in', names)] : []),
      ]),
    )
    .execute();
  const wanted = new Set([...ids, ...names]).size;
  return rows.length < wanted ? null : rows.map((r) => r.id);
}

export async function tagsOfTasks(db: Kysely<Database>, taskIds: string[]): Promise<Map<string, TaskTag[]>> {
  const byTask = new Map<string, TaskTag[]>(taskIds.map((id) => [id, []]));
  if (!taskIds.length) return byTask;
  const rows = await db
    .selectFrom('task_tags')
    .innerJoin('tags', 'tags.id', 'task_tags.tag_id')
    .select(['task_tags.task_id', 'tags.id', 'tags.name'])
    .where('task_tags.task_id', 'in', taskIds)
    .orderBy('tags.name')
    .execute();
  for (const r of rows) byTask.get(r.task_id)?.push({ id: r.id, name: r.name });
  return byTask;
}

/** Re-derives the search column's tag names for the given tasks after their tags changed. */
export async function refreshTagNames(trx: Kysely<Database>, taskIds: string[]): Promise<void> {
  if (!taskIds.length) return;
  await sql`update tasks t set tag_names = coalesce(
      (select string_agg(g.name, ' ' order by g.name) from task_tags tt join tags g on g.id = tt.tag_id
        where tt.task_id = t.id), '')
    where t.id = any(${taskIds}::uuid[])`.execute(trx);
}

const byCodePoints = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A task's tags in order: case-insensitive, ties by code points (the SQL in list-tasks.ts agrees). */
export function compareTagNames(a: { name: string }, b: { name: string }): number {
  return byCodePoints(a.name.toLowerCase(), b.name.toLowerCase()) || byCodePoints(a.name, b.name);
}
