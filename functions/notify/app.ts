import { createEventFunctionApp, type EventData, type EventDeps, RetryLater, TOPICS } from '@todo/core';
import { sql } from 'kysely';
import { LIMITS, tryConsume } from '../core/src/rate-limit.ts';
import {
  LIVE_NOTIFICATIONS_CHANNEL,
  type LiveNotification,
  toNotificationJson,
} from '../core/src/reminders/notifications.ts';
import { latenessMs } from '../core/src/reminders/receipts.ts';
import { isSnoozeKey } from '../core/src/reminders/reminder-plan.ts';
import { createEmailSender, EmailSendError, type EmailSender } from './email.ts';

type ReminderDue = EventData<'ReminderDue.v1'>;

/** How long a claimed email send may stay unfinished before another delivery may take it over. */
const EMAIL_CLAIM_LEASE = '60 seconds';
const SENDING = 'sending';
const EMAIL_OFF = 'email is off (RESEND_API_KEY not set); logged only';
const EMAIL_UNVERIFIED = 'not sent: the email address is not verified yet (in-app only)';

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
 * Email: the receipt row is claimed (status fired, detail `sending`) before calling Resend, with a lease
 * so a crashed sender's claim can be taken over; Resend's Idempotency-Key covers that takeover window.
 * A claim held by a concurrent delivery answers RETRY, so that copy comes back after the outcome is known.
 */
export function notifyApp(deps: EventDeps, email: EmailSender = createEmailSender(deps.config, deps.log)) {
  async function deliverReminder(r: ReminderDue): Promise<void> {
    // Re-checked in the database: the task must exist and be that user's, and the title shown is the
    // task's own, so an event can neither reach another account nor choose the text of an email.
    const who = await deps.db
      .selectFrom('users')
      .innerJoin('tasks', (j) => j.on('tasks.id', '=', r.task_id).onRef('tasks.user_id', '=', 'users.id'))
      .select([
        'users.email',
        'users.email_verified_at',
        'users.time_zone as user_zone',
        'tasks.time_zone as task_zone',
        'tasks.title',
      ])
      .where('users.id', '=', r.user_id)
      .executeTakeFirst();
    if (!who) {
      deps.log.warn('reminder for a task that is gone or not that user’s; nothing to deliver', {
        task: r.task_id,
      });
      return;
    }
    const reminder = { ...r, title: who.title };
    const body = describeDue(reminder, who.task_zone ?? who.user_zone);
    await recordInApp(reminder, body);
    await sendEmailOnce(reminder, who.email, body, who.email_verified_at !== null);
  }

  async function recordInApp(r: ReminderDue, body: string): Promise<void> {
    await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('notifications')
        .values({
          user_id: r.user_id,
          task_id: r.task_id,
          occurrence_key: r.occurrence_key,
          channel: 'in_app',
          title: r.title,
          body,
        })
        .onConflict((oc) => oc.columns(['task_id', 'occurrence_key', 'channel']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) return; // a redelivery: the notification and its receipt are already recorded
      const live: LiveNotification = { user_id: r.user_id, notification: toNotificationJson(row) };
      await sql`select pg_notify(${LIVE_NOTIFICATIONS_CHANNEL}, ${JSON.stringify(live)})`.execute(trx);
      const now = new Date();
      await trx
        .insertInto('reminder_deliveries')
        .values({
          user_id: r.user_id,
          task_id: r.task_id,
          occurrence_key: r.occurrence_key,
          channel: 'in_app',
          status: 'sent',
          scheduled_for: r.remind_at,
          fired_at: now,
          sent_at: now,
          lateness_ms: latenessMs(r.remind_at, now),
        })
        .onConflict((oc) =>
          oc.columns(['task_id', 'occurrence_key', 'channel']).doUpdateSet({
            status: 'sent',
            sent_at: now,
            fired_at: sql`coalesce(reminder_deliveries.fired_at, ${now})`,
            lateness_ms: latenessMs(r.remind_at, now),
            detail: null,
            updated_at: sql`now()`,
          }),
        )
        .execute();
    });
  }

  /** Claims the email receipt; true when this delivery owns the send. */
  async function claimEmail(r: ReminderDue): Promise<boolean> {
    const claimed = await deps.db
      .insertInto('reminder_deliveries')
      .values({
        user_id: r.user_id,
        task_id: r.task_id,
        occurrence_key: r.occurrence_key,
        channel: 'email',
        status: 'fired',
        scheduled_for: r.remind_at,
        fired_at: new Date(),
        detail: SENDING,
      })
      .onConflict((oc) =>
        oc
          .columns(['task_id', 'occurrence_key', 'channel'])
          .doUpdateSet({
            status: 'fired',
            detail: SENDING,
            fired_at: sql`coalesce(reminder_deliveries.fired_at, now())`,
            updated_at: sql`now()`,
          })
          .where('reminder_deliveries.status', 'in', ['scheduled', 'fired'])
          .where((eb) =>
            eb.or([
              eb('reminder_deliveries.detail', 'is', null),
              eb('reminder_deliveries.detail', '!=', SENDING),
              eb('reminder_deliveries.updated_at', '<', sql<Date>`now() - ${EMAIL_CLAIM_LEASE}::interval`),
            ]),
          ),
      )
      .returning('id')
      .executeTakeFirst();
    if (claimed) return true;
    const current = await deps.db
      .selectFrom('reminder_deliveries')
      .select(['status', 'detail'])
      .where('task_id', '=', r.task_id)
      .where('occurrence_key', '=', r.occurrence_key)
      .where('channel', '=', 'email')
      .executeTakeFirstOrThrow();
    if (current.status === 'fired' && current.detail === SENDING)
      throw new EmailClaimHeld('another delivery of this reminder is sending its email; retry later');
    return false; // sent, failed or cancelled already
  }

  async function finishEmail(
    r: ReminderDue,
    change: { status: 'sent' | 'failed' | 'fired'; detail: string },
  ): Promise<void> {
    const now = new Date();
    await deps.db
      .updateTable('reminder_deliveries')
      .set({
        status: change.status,
        detail: change.detail,
        updated_at: now,
        ...(change.status === 'sent' && { sent_at: now, lateness_ms: latenessMs(r.remind_at, now) }),
      })
      .where('task_id', '=', r.task_id)
      .where('occurrence_key', '=', r.occurrence_key)
      .where('channel', '=', 'email')
      .execute();
  }

  /** No email to send (email off, address unverified): one statement records why, no claim/finish round trips. */
  async function recordEmailSkipped(r: ReminderDue, detail: string): Promise<boolean> {
    const recorded = await deps.db
      .insertInto('reminder_deliveries')
      .values({
        user_id: r.user_id,
        task_id: r.task_id,
        occurrence_key: r.occurrence_key,
        channel: 'email',
        status: 'cancelled',
        scheduled_for: r.remind_at,
        detail,
      })
      .onConflict((oc) =>
        oc
          .columns(['task_id', 'occurrence_key', 'channel'])
          .doUpdateSet({ status: 'cancelled', detail, updated_at: sql`now()` })
          .where('reminder_deliveries.status', 'in', ['scheduled', 'fired']),
      )
      .returning('id')
      .executeTakeFirst();
    return recorded !== undefined;
  }

  async function sendEmailOnce(r: ReminderDue, to: string, body: string, verified: boolean): Promise<void> {
    const message = {
      to,
      subject: `Reminder: ${r.title}`,
      text: `${r.title}\n\n${body}\n`,
      idempotencyKey: `reminder/${r.task_id}/${r.occurrence_key}/email`,
    };
    if (!email.live) {
      if (await recordEmailSkipped(r, EMAIL_OFF)) await email.send(message);
      return;
    }
    // Reminders are mailed only to an address its owner has confirmed, so an account signed up with
    // someone else's address cannot send them mail; the in-app notification still arrives.
    if (!verified) {
      await recordEmailSkipped(r, EMAIL_UNVERIFIED);
      return;
    }
    if (!(await claimEmail(r))) return;
    // A daily cap per user (shared by every replica): past it the in-app notification still arrives.
    if (!(await tryConsume(deps.db, LIMITS.reminderEmailsPerAccount, r.user_id))) {
      deps.log.warn('daily reminder email limit reached; email not sent', {
        user: r.user_id,
        task: r.task_id,
      });
      await finishEmail(r, { status: 'failed', detail: 'daily reminder email limit reached' });
      return;
    }
    try {
      const { id } = await email.send(message);
      await finishEmail(r, { status: 'sent', detail: `resend id ${id}` });
    } catch (e) {
      if (e instanceof EmailSendError && !e.retryable) {
        await finishEmail(r, { status: 'failed', detail: e.message });
        return;
      }
      // Release the claim so the retried delivery can take it at once.
      await finishEmail(r, { status: 'fired', detail: `retrying: ${(e as Error).message}` });
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
