import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { conflict, notFound } from '../runtime/errors.ts';
import type { TagWithCount } from '../schemas.ts';
import { refreshTagNames } from './tag-queries.ts';

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/**
 * A tag's count is of the tasks the caller can still see (sharing): their tag stays on a task of a project
 * they were removed from, but that task is no longer theirs to count.
 */
const visibleCount = sql<string>`count(tt.task_id) filter (where exists (select 1 from tasks t
  where t.id = tt.task_id and t.project_id in (select pm.project_id from project_members pm where pm.user_id = g.user_id)))`;

export async function listTags(db: Kysely<Database>, userId: string): Promise<TagWithCount[]> {
  const rows = await db
    .selectFrom('tags as g')
    .leftJoin('task_tags as tt', 'tt.tag_id', 'g.id')
    .select(['g.id', 'g.name', visibleCount.as('task_count')])
    .where('g.user_id', '=', userId)
    .groupBy(['g.id', 'g.name'])
    .orderBy(sql`lower(g.name)`)
    .execute();
  return rows.map((r) => ({ ...r, task_count: Number(r.task_count) }));
}

export async function createTag(db: Kysely<Database>, userId: string, name: string): Promise<TagWithCount> {
  try {
    const row = await db
      .insertInto('tags')
      .values({ user_id: userId, name })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
    return { ...row, task_count: 0 };
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`You already have a tag named "${name}"`);
    throw e;
  }
}

/** Renames a tag and re-derives the search text of every task carrying it, in one transaction. */
export async function renameTag(db: Kysely<Database>, userId: string, id: string, name: string) {
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('tags')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .returning(['id', 'name'])
        .executeTakeFirst();
      if (!row) throw notFound('Tag');
      const tasks = await trx.selectFrom('task_tags').select('task_id').where('tag_id', '=', id).execute();
      await refreshTagNames(
        trx,
        tasks.map((t) => t.task_id),
      );
      const [counted] = await listTagCount(trx, id);
      return { ...row, task_count: Number(counted?.task_count ?? 0) };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`You already have a tag named "${name}"`);
    throw e;
  }
}

const listTagCount = (db: Kysely<Database>, id: string) =>
  db
    .selectFrom('tags as g')
    .leftJoin('task_tags as tt', 'tt.tag_id', 'g.id')
    .select(visibleCount.as('task_count'))
    .where('g.id', '=', id)
    .groupBy('g.id')
    .execute();

export async function deleteTag(db: Kysely<Database>, userId: string, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const tasks = await trx
      .selectFrom('task_tags')
      .innerJoin('tags', 'tags.id', 'task_tags.tag_id')
      .select('task_tags.task_id')
      .where('tags.id', '=', id)
      .where('tags.user_id', '=', userId)
      .execute();
    const deleted = await trx
      .deleteFrom('tags')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!deleted.numDeletedRows) throw notFound('Tag');
    await refreshTagNames(
      trx,
      tasks.map((t) => t.task_id),
    );
  });
}
