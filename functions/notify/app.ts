import { createEventFunctionApp, type EventData, type EventDeps, RetryLater, TOPICS } from '@todo/core';
import { reminderRecipient } from '@todo/core/accounts/users';
import { visibleProjects } from '@todo/core/projects/access';
import { insertNotification } from '@todo/core/reminders/notifications';
import {
  claimSending,
  isSendingHeld,
  markDelivered,
  markFailed,
  markNotSent,
  markSent,
  type Occurrence,
  releaseSending,
} from '@todo/core/reminders/receipts';
import { isSnoozeKey } from '@todo/core/reminders/reminder-plan';
import { LIMITS, tryConsume } from '@todo/core/runtime/rate-limit';
import { createEmailSender, EmailSendError, type EmailSender } from './email.ts';

type ReminderDue = EventData<'ReminderDue.v1'>;

const EMAIL_OFF = 'email is off (RESEND_API_KEY not set); logged only';
const EMAIL_UNVERIFIED = 'not sent: the email address is not verified yet (in-app only)';
const NOT_A_MEMBER = 'not sent: no longer a member of the project';

export class EmailClaimHeld extends RetryLater {
  override readonly name = 'EmailClaimHeld';
}

function describeDue(r: ReminderDue, timeZone: string): string {
  const local = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(r.due_at));
  const when = `${local} (${timeZone})`;
  if (isSnoozeKey(r.occurrence_key)) return `Snoozed reminder: due ${when}`;
  if (r.offset_minutes === 0) return `Due now: ${when}`;
  const h = Math.floor(r.offset_minutes / 60);
  const m = r.offset_minutes % 60;
  const span = [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
  return `Due in ${span}: ${when}`;
}

/**
 * notify: one ReminderDue → one in-app notification and one email, however often the event arrives.
 *
 * In-app: the notifications table's unique (task, occurrence, channel) key makes the insert the claim;
 * the same transaction pg_notify()s the always-on `live` function, which pushes it to browsers.
 * Email: the receipt is claimed (status `sending`, under a lease in `locked_until`) before calling Resend,
 * so a crashed sender's claim can be taken over; Resend's Idempotency-Key covers that takeover window.
 * Every receipt change is a transition of reminders/receipts.ts.
 * A claim held by a concurrent delivery answers RETRY, so that copy comes back after the outcome is known.
 */
export function notifyApp(deps: EventDeps, email: EmailSender = createEmailSender(deps.config, deps.log)) {
  async function deliverReminder(r: ReminderDue): Promise<void> {
    // Re-checked in the database: the task must exist and be that user's, and the title shown is the
    // task's own, so an event can neither reach another account nor choose the text of an email.
    const who = await reminderRecipient(deps.db, r.user_id, r.task_id);
    if (!who) {
      deps.log.warn('reminder for a task that is gone or not that user’s; nothing to deliver', {
        task: r.task_id,
      });
      return;
    }
    // Sharing (issue 13): a task's reminders ring for its creator only while they are still a member of
    // its project; a removed member's receipts record why nothing went out (in-app and email).
    if (!(await stillMember(r))) {
      await markNotSent(deps.db, occurrenceOf(r), NOT_A_MEMBER, 'in_app');
      await markNotSent(deps.db, occurrenceOf(r), NOT_A_MEMBER, 'email');
      return;
    }
    const reminder = { ...r, title: who.title };
    const body = describeDue(reminder, who.time_zone);
    await recordInApp(reminder, body);
    await sendEmailOnce(reminder, who.email, body, who.email_verified_at !== null);
  }

  const stillMember = async (r: ReminderDue) =>
    (await deps.db
      .selectFrom('tasks')
      .select('id')
      .where('id', '=', r.task_id)
      .where('project_id', 'in', visibleProjects(r.user_id))
      .executeTakeFirst()) !== undefined;

  const occurrenceOf = (r: ReminderDue): Occurrence => ({
    userId: r.user_id,
    taskId: r.task_id,
    occurrenceKey: r.occurrence_key,
    scheduledFor: r.remind_at,
  });

  async function recordInApp(r: ReminderDue, body: string): Promise<void> {
    await deps.db.transaction().execute(async (trx) => {
      const row = await insertNotification(trx, { ...r, channel: 'in_app', body });
      if (!row) return; // a redelivery: the notification and its receipt are already recorded
      await markDelivered(trx, occurrenceOf(r));
    });
  }

  /** Claims the email receipt; true when this delivery owns the send. */
  async function claimEmail(r: ReminderDue): Promise<boolean> {
    if (await claimSending(deps.db, occurrenceOf(r))) return true;
    if (await isSendingHeld(deps.db, occurrenceOf(r)))
      throw new EmailClaimHeld('another delivery of this reminder is sending its email; retry later');
    return false; // sent, failed or cancelled already
  }

  async function sendEmailOnce(r: ReminderDue, to: string, body: string, verified: boolean): Promise<void> {
    const message = {
      to,
      subject: `Reminder: ${r.title}`,
      text: `${r.title}\n\n${body}\n`,
      idempotencyKey: `reminder/${r.task_id}/${r.occurrence_key}/email`,
    };
    if (!email.live) {
      if (await markNotSent(deps.db, occurrenceOf(r), EMAIL_OFF)) await email.send(message);
      return;
    }
    // Reminders are mailed only to an address its owner has confirmed, so an account signed up with
    // someone else's address cannot send them mail; the in-app notification still arrives.
    if (!verified) {
      await markNotSent(deps.db, occurrenceOf(r), EMAIL_UNVERIFIED);
      return;
    }
    if (!(await claimEmail(r))) return;
    // A daily cap per user (shared by every replica): past it the in-app notification still arrives.
    if (!(await tryConsume(deps.db, LIMITS.reminderEmailsPerAccount, r.user_id))) {
      deps.log.warn('daily reminder email limit reached; email not sent', {
        user: r.user_id,
        task: r.task_id,
      });
      await markFailed(deps.db, occurrenceOf(r), 'daily reminder email limit reached');
      return;
    }
    try {
      const { id } = await email.send(message);
      await markSent(deps.db, occurrenceOf(r), `resend id ${id}`);
    } catch (e) {
      if (e instanceof EmailSendError && !e.retryable) {
        await markFailed(deps.db, occurrenceOf(r), e.message);
        return;
      }
      // Release the claim so the retried delivery can take it at once.
      await releaseSending(deps.db, occurrenceOf(r), `retrying: ${(e as Error).message}`);
      throw e;
    }
  }

  return createEventFunctionApp('notify', deps, {
    [TOPICS.reminders]: async function onReminderDue(parsed) {
      if (parsed.type === 'ReminderDue.v1') await deliverReminder(parsed.data);
    },
  });
}

export default notifyApp;
