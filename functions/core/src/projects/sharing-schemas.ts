import { z } from 'zod';
import { InvitableRole, ProjectRole } from '../enums.ts';

/** The API of sharing (issue 13): members, invitations, roles. See sharing.ts for the rules. */

export const MemberParams = z.object({
  id: z.uuid({ message: 'must be a UUID' }),
  userId: z.uuid({ message: 'must be a UUID' }),
});
export const InvitationParams = z.object({
  id: z.uuid({ message: 'must be a UUID' }),
  invitationId: z.uuid({ message: 'must be a UUID' }),
});

export const InvitationCreate = z.strictObject({
  /** Lower-cased on the way in; the invitee need not have an account yet. */
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  role: InvitableRole,
});
export type InvitationCreate = z.infer<typeof InvitationCreate>;

export const RoleChange = z.strictObject({ role: ProjectRole });
export type RoleChange = z.infer<typeof RoleChange>;

export const MemberOut = z.object({
  user_id: z.uuid(),
  email: z.string(),
  role: ProjectRole,
  created_at: z.string(),
});
export type MemberOut = z.infer<typeof MemberOut>;

export const InvitationOut = z.object({
  id: z.uuid(),
  project_id: z.uuid(),
  email: z.string(),
  role: InvitableRole,
  created_at: z.string(),
});
export type InvitationOut = z.infer<typeof InvitationOut>;

export const MemberList = z.object({
  members: z.array(MemberOut),
  /** Pending invitations: shown to owners only (empty for editors and viewers). */
  invitations: z.array(InvitationOut),
});
export type MemberList = z.infer<typeof MemberList>;

/** An invitation as its invitee sees it: which project, from whom. */
export const MyInvitation = InvitationOut.extend({ project_name: z.string(), invited_by: z.string() });
export type MyInvitation = z.infer<typeof MyInvitation>;
export const MyInvitationList = z.object({ items: z.array(MyInvitation) });
