import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/types.ts';
import { conflict, fieldProblem, notFound } from '../runtime/errors.ts';
import { iso } from '../runtime/time.ts';
import { isUuid } from '../schemas.ts';
import { unassignMember } from '../tasks/task-writes.ts';
import { type Role, requireRole, visibleProjects } from './access.ts';
import { getProject } from './project-crud.ts';
import type {
  InvitationCreate,
  InvitationOut,
  MemberList,
  MemberOut,
  MyInvitation,
} from './sharing-schemas.ts';

/**
 * Sharing a project (issue 13): invitations by email with a role, accept/decline, change a member's role,
 * remove a member or leave. The rules:
 * - any member sees the members; only owners see pending invitations and manage either;
 * - a non-member gets 404 for everything here (the project's existence is not revealed), a member
 *   without the role 403 (projects/access.ts);
 * - an invitation waits for an email address, account or not, and the answer is the same 201 either way,
 *   so inviting reveals nothing about who has an account; inviting an existing member is a 409;
 * - the Inbox is personal and cannot be shared (409);
 * - a project always keeps an owner: the last one can be neither demoted nor removed, nor leave (409).
 *
 * Every membership change of a project first locks the project row (FOR NO KEY UPDATE — task inserts
 * only KEY SHARE it), before even the caller's role is read, so the "last owner" checks of two concurrent
 * changes run one after the other and two owners removing each other cannot deadlock (the second waits,
 * then finds itself no longer an owner: 404).
 * Removal takes effect at the member's next request: nothing caches membership (access.ts).
 */

type Trx = Transaction<Database>;

/** Serialises the membership changes of one project (see above); 404 when it is gone. */
async function lockProject(trx: Trx, projectId: string) {
  const row = await trx
    .selectFrom('projects')
    .select(['id', 'is_inbox'])
    .where('id', '=', projectId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('Project');
  return row;
}

const toInvitationJson = (r: {
  id: string;
  project_id: string;
  email: string;
  role: InvitationOut['role'];
  created_at: Date;
}): InvitationOut => ({
  id: r.id,
  project_id: r.project_id,
  email: r.email,
  role: r.role,
  created_at: iso(r.created_at)!,
});

/** The members of a project (any member may look) and, for an owner, its pending invitations. */
export async function listMembers(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
): Promise<MemberList> {
  const role = await requireRole(db, userId, projectId, 'viewer');
  const members = await db
    .selectFrom('project_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select(['pm.user_id', 'u.email', 'pm.role', 'pm.created_at'])
    .where('pm.project_id', '=', projectId)
    .orderBy('pm.created_at')
    .orderBy('pm.user_id')
    .execute();
  const invitations =
    role === 'owner'
      ? await db
          .selectFrom('project_invitations')
          .selectAll()
          .where('project_id', '=', projectId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      : [];
  return {
    members: members.map(
      (m): MemberOut => ({
        user_id: m.user_id,
        email: m.email,
        role: m.role,
        created_at: iso(m.created_at)!,
      }),
    ),
    invitations: invitations.map(toInvitationJson),
  };
}

/**
 * Invites an email address with a role (owner only). Inviting the same address again changes the
 * pending invitation's role. The same 201 whether or not the address has an account.
 */
export async function inviteMember(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
  input: InvitationCreate,
): Promise<InvitationOut> {
  return db.transaction().execute(async (trx) => {
    const project = await lockProject(trx, projectId);
    await requireRole(trx, userId, projectId, 'owner');
    if (project.is_inbox) throw conflict('The Inbox is personal and cannot be shared; share another project');
    const member = await trx
      .selectFrom('project_members as pm')
      .innerJoin('users as u', 'u.id', 'pm.user_id')
      .select('pm.user_id')
      .where('pm.project_id', '=', projectId)
      .where(sql<string>`lower(u.email)`, '=', input.email)
      .executeTakeFirst();
    if (member) throw conflict('That address is already a member of this project; change their role instead');
    const row = await trx
      .insertInto('project_invitations')
      .values({ project_id: projectId, email: input.email, role: input.role, invited_by: userId })
      .onConflict((oc) =>
        oc.columns(['project_id', 'email']).doUpdateSet({ role: input.role, invited_by: userId }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toInvitationJson(row);
  });
}

/** Withdraws a pending invitation (owner only). */
export async function cancelInvitation(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
  invitationId: string,
): Promise<void> {
  await requireRole(db, userId, projectId, 'owner');
  const gone = await db
    .deleteFrom('project_invitations')
    .where('id', '=', invitationId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (!gone.numDeletedRows) throw notFound('Invitation');
}

/** The caller's email, as invitations store it. */
const emailOf = (userId: string) => sql<string>`(select lower(email) from users where id = ${userId})`;

/** The invitations waiting for the caller's email address, newest first. */
export async function myInvitations(db: Kysely<Database>, userId: string): Promise<MyInvitation[]> {
  const rows = await db
    .selectFrom('project_invitations as i')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .innerJoin('users as by', 'by.id', 'i.invited_by')
    .selectAll('i')
    .select(['p.name as project_name', 'by.email as inviter'])
    .where('i.email', '=', emailOf(userId))
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({ ...toInvitationJson(r), project_name: r.project_name, invited_by: r.inviter }));
}

/** One of the caller's invitations, removed (accepted or declined); 404 if it is not for them. */
async function takeInvitation(trx: Trx, userId: string, invitationId: string) {
  const row = await trx
    .deleteFrom('project_invitations')
    .where('id', '=', invitationId)
    .where('email', '=', emailOf(userId))
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('Invitation');
  return row;
}

/**
 * Accepts an invitation: the caller becomes a member with its role (one who is already a member keeps
 * the role they have). Answers the project as they now see it.
 */
export async function acceptInvitation(db: Kysely<Database>, userId: string, invitationId: string) {
  return db.transaction().execute(async (trx) => {
    // The project's lock first, as every membership change takes it (see above), then the invitation.
    const pending = await trx
      .selectFrom('project_invitations')
      .select('project_id')
      .where('id', '=', invitationId)
      .where('email', '=', emailOf(userId))
      .executeTakeFirst();
    if (!pending) throw notFound('Invitation');
    await lockProject(trx, pending.project_id);
    const invitation = await takeInvitation(trx, userId, invitationId);
    await trx
      .insertInto('project_members')
      .values({
        project_id: invitation.project_id,
        user_id: userId,
        role: invitation.role,
        added_by: invitation.invited_by,
      })
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
      .execute();
    return getProject(trx, userId, invitation.project_id);
  });
}

export async function declineInvitation(db: Kysely<Database>, userId: string, invitationId: string) {
  await db.transaction().execute((trx) => takeInvitation(trx, userId, invitationId));
}

async function memberRole(trx: Trx, projectId: string, memberId: string): Promise<Role> {
  const row = await trx
    .selectFrom('project_members')
    .select('role')
    .where('project_id', '=', projectId)
    .where('user_id', '=', memberId)
    .executeTakeFirst();
  if (!row) throw notFound('Member');
  return row.role;
}

async function assertNotLastOwner(trx: Trx, projectId: string, what: string): Promise<void> {
  const { count } = await trx
    .selectFrom('project_members')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('project_id', '=', projectId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  if (Number(count) <= 1)
    throw conflict(`${what}: a project keeps at least one owner; make someone else an owner first`);
}

/**
 * Changes a member's role (owner only); the last owner cannot be demoted. A member made a viewer is
 * unassigned from the project's tasks (only owners and editors are assigned: they can complete them).
 */
export async function changeMemberRole(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
  memberId: string,
  role: Role,
  source = 'projects',
): Promise<MemberOut> {
  return db.transaction().execute(async (trx) => {
    await lockProject(trx, projectId);
    await requireRole(trx, userId, projectId, 'owner');
    const current = await memberRole(trx, projectId, memberId);
    if (current === 'owner' && role !== 'owner')
      await assertNotLastOwner(trx, projectId, 'The last owner cannot be demoted');
    if (role === 'viewer') await unassignMember(trx, { userId, source }, projectId, memberId.toLowerCase());
    const row = await trx
      .updateTable('project_members as pm')
      .set({ role })
      .from('users as u')
      .whereRef('u.id', '=', 'pm.user_id')
      .where('pm.project_id', '=', projectId)
      .where('pm.user_id', '=', memberId)
      .returning(['pm.user_id', 'u.email', 'pm.role', 'pm.created_at'])
      .executeTakeFirstOrThrow();
    return { user_id: row.user_id, email: row.email, role: row.role, created_at: iso(row.created_at)! };
  });
}

/**
 * Removes a member: an owner removes anyone, any member removes themselves (leaving). The last owner can
 * do neither. Takes effect at once: the next request of the removed member finds no membership, and the
 * tasks assigned to them are unassigned in the same transaction (their reminders go back to the creators).
 */
export async function removeMember(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
  memberId: string,
  source = 'projects',
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const leaving = memberId.toLowerCase() === userId;
    await lockProject(trx, projectId);
    await requireRole(trx, userId, projectId, leaving ? 'viewer' : 'owner');
    const current = await memberRole(trx, projectId, memberId);
    if (current === 'owner') {
      await assertNotLastOwner(
        trx,
        projectId,
        leaving ? 'The last owner cannot leave' : 'The last owner cannot be removed',
      );
    }
    await unassignMember(trx, { userId, source }, projectId, memberId.toLowerCase());
    await trx
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('user_id', '=', memberId)
      .execute();
  });
}

/**
 * A person the caller shares a project with, by email (any case), `me`, or user id — for the assistant,
 * where people say "assign it to ana@example.com". Only members of the caller's projects are found (an
 * address with no such member reads as unknown, whether it has an account or not); whether they may be
 * assigned a given task is the write's check (access.ts requireAssignable).
 */
export async function resolveMemberRef(
  db: Kysely<Database>,
  userId: string,
  ref: string,
  field = 'assignee',
): Promise<string> {
  const wanted = ref.trim().toLowerCase();
  if (wanted === 'me') return userId;
  const row = await db
    .selectFrom('project_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select('pm.user_id')
    .where('pm.project_id', 'in', visibleProjects(userId))
    .where(isUuid(wanted) ? sql<string>`pm.user_id::text` : sql<string>`lower(u.email)`, '=', wanted)
    .limit(1)
    .executeTakeFirst();
  if (!row) throw fieldProblem(field, `nobody you share a project with is ${ref.trim()}`);
  return row.user_id;
}
