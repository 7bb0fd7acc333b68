import { type RawBuilder, sql } from 'kysely';

/**
 * Whose reminders a task rings: its assignee (issue 13), else whoever created it. The one definition
 * that scheduling (schedule-reminder), firing (clock) and delivery (notify) share, as SQL over the task
 * row aliased `alias`, so each reads it in the statement that needs it.
 */
export const reminderRecipientOf = (alias = 'tasks'): RawBuilder<string> =>
  sql<string>`coalesce(${sql.ref(`${alias}.assignee_id`)}, ${sql.ref(`${alias}.user_id`)})`;
