import { z } from 'zod';
import { Credentials, text } from '../schemas.ts';

/** Request and response shapes of the session, password and email-verification routes. */

/** A new password: the same rules as at sign-up. */
const NewPassword = Credentials.shape.password;
/** A token from a mailed link (32 random bytes, base64url); anything else simply matches nothing. */
const LinkToken = text().min(1).max(512);

export const PasswordChange = z.strictObject({
  current_password: text().min(1).max(200),
  new_password: NewPassword,
});
export const PasswordResetRequest = z.strictObject({ email: z.email().max(254) });
export const PasswordResetConfirm = z.strictObject({ token: LinkToken, password: NewPassword });
export const VerifyEmail = z.strictObject({ token: LinkToken });
export const StreamTicket = z.object({
  /** For `GET /api/v1/notifications/stream?ticket=`; accepted nowhere else. */
  ticket: z.string(),
  expires_in: z.number().int(),
});
/** What an EventSource can send: the ticket, and where to resume (also sent as Last-Event-ID). */
export const StreamQuery = z.object({
  ticket: z.string().optional(),
  last_event_id: z.string().optional(),
});
