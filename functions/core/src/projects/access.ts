import { type Kysely, sql } from 'kysely';
import type { z } from 'zod';
import { compiledOnce } from '../db/compiled-once.ts';
import type { Database } from '../db/types.ts';
import { ProjectRole } from '../enums.ts';
import { fieldProblem, forbidden, notFound } from '../runtime/errors.ts';

/**
 * Who may see and change what (sharing, issue 13) — the ONE place that decides it. Every read and write of
 * tasks and projects is scoped by membership of the task's project, never by `user_id` (which now means
 * "created by"):
 * - viewer: reads the project and its tasks;
 * - editor: also creates, changes, completes, moves and deletes its tasks;
 * - owner: also renames, archives, deletes the project and manages its members and invitations.
 *
 * A non-member gets 404 — exactly the answer for an id that does not exist, so a project's existence is
 * not revealed — and a member without the role gets 403. Nothing is cached: every request asks the
 * database, so a removed member loses access at their next request, everywhere (API, MCP, chat).
 */

export type Role = z.infer<typeof ProjectRole>;

const RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

/** Whether `role` includes `needed` (owner ⊃ editor ⊃ viewer). */
export const hasRole = (role: Role | undefined, needed: Role): boolean =>
  role !== undefined && RANK[role] >= RANK[needed];

/**
 * The ids of the projects `userId` is a member of, as a subquery: `t.project_id in (visibleProjects(…))`
 * is an index range of project_members_user.
 */
export const visibleProjects = (userId: string) =>
  sql<string>`(select pm.project_id from project_members pm where pm.user_id = ${userId})`;

/** The projects a user is a member of (any role), and which of them are shared (may hold others' tasks). */
export interface Memberships {
  member: string[];
  shared: string[];
}

/**
 * A user's memberships as the two arrays of Memberships, aggregated over `project_members pm` left-joined
 * to `projects p`: empty arrays when there are none.
 */
export const membershipArrays = [
  sql<string[]>`coalesce(array_agg(pm.project_id::text) filter (where pm.project_id is not null), '{}')`.as(
    'member',
  ),
  sql<string[]>`coalesce(array_agg(pm.project_id::text) filter (where p.shared), '{}')`.as('shared'),
] as const;

const membershipRow = compiledOnce((db, userId: string) =>
  db
    .selectFrom('project_members as pm')
    .leftJoin('projects as p', 'p.id', 'pm.project_id')
    .select(membershipArrays)
    .where('pm.user_id', '=', userId),
);

/**
 * The projects `userId` is a member of, and the shared ones among them. An HTTP request that needs them
 * reads them with its session check instead (sessionWithMemberships, accounts/sessions.ts).
 */
export async function membershipsOf(db: Kysely<Database>, userId: string): Promise<Memberships> {
  const [row] = await membershipRow(db, userId);
  return { member: row?.member ?? [], shared: row?.shared ?? [] };
}

/** The caller's role in a project, or undefined when they are not a member (or it does not exist). */
export async function projectRole(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
): Promise<Role | undefined> {
  const row = await db
    .selectFrom('project_members')
    .select('role')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}

/**
 * Throws unless the caller has at least `needed` in the project: 404 (as `what`: 'Project' or 'Task') for a
 * non-member, 403 for a member with a lesser role. The membership row is read FOR KEY SHARE inside a
 * write's transaction, so a concurrent removal of this member waits for the write (and one already
 * committed is seen): a removed member cannot slip a write in after the removal.
 */
export async function requireRole(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
  needed: Role,
  what: 'Project' | 'Task' | 'Series' = 'Project',
): Promise<Role> {
  let query = db
    .selectFrom('project_members')
    .select('role')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId);
  if (db.isTransaction) query = query.forKeyShare();
  const row = await query.executeTakeFirst();
  return checkRole(row?.role, needed, what);
}

/**
 * requireRole's answer for a membership already read (`role`, undefined for none) — by a query that reads
 * it beside the row it guards, FOR KEY SHARE in a write's transaction as requireRole reads it.
 */
export function checkRole(role: Role | undefined, needed: Role, what: 'Project' | 'Task' | 'Series'): Role {
  if (role === undefined) throw notFound(what);
  if (!hasRole(role, needed)) throw forbidden(forbiddenDetail(needed));
  return role;
}

function forbiddenDetail(needed: Role): string {
  return needed === 'owner'
    ? 'Only an owner of this project may do that'
    : 'You can view this project but not change its tasks; ask an owner to make you an editor';
}

/**
 * Checks that a task of the project may be assigned to `assigneeId`: an owner or editor of it (someone
 * who can also complete it). A viewer, a non-member and an id that is no account get the same 400 naming
 * the field — nothing the project's member list does not already show. The membership row is read FOR
 * KEY SHARE, as the foreign key's check does, so a concurrent removal waits for this write.
 */
export async function requireAssignable(
  db: Kysely<Database>,
  projectId: string,
  assigneeId: string,
  field = 'body.assignee_id',
): Promise<string> {
  const id = assigneeId.toLowerCase();
  if (await isAssignable(db, projectId, id)) return id;
  throw fieldProblem(field, "not an owner or editor of the task's project; only they can be assigned");
}

/**
 * The roles that can be assigned a task: those that can also complete it (editor and up). The one list
 * for isAssignable and for the SQL that keeps an assignee when tasks move (task-writes.ts).
 */
export const ASSIGNABLE_ROLES: Role[] = ProjectRole.options.filter((r) => hasRole(r, 'editor'));

/** Whether `userId` is an owner or editor of the project (see requireAssignable). */
export async function isAssignable(db: Kysely<Database>, projectId: string, userId: string) {
  let query = db
    .selectFrom('project_members')
    .select('role')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .where('role', 'in', ASSIGNABLE_ROLES);
  if (db.isTransaction) query = query.forKeyShare();
  return (await query.executeTakeFirst()) !== undefined;
}
