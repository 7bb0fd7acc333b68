import { z } from 'zod';

/**
 * Every closed set of values the database stores, declared once. The TypeScript unions in db/types.ts
 * are inferred from these, the API schemas use them, and db/enums.test.ts checks each table's CHECK
 * constraint against them on a migrated database, so a value added here without a migration fails a test.
 */
export const TaskStatus = z.enum(['todo', 'in_progress', 'done']);
export const Priority = z.enum(['low', 'medium', 'high']);
export const RecurrenceMode = z.enum(['schedule', 'completion']);
/** Where an in-app notification was shown (browser = a system notification raised by the web app). */
export const NotificationChannel = z.enum(['in_app', 'email', 'browser']);
/** A reminder receipt's lifecycle; reminders/receipts.ts has one function per transition. */
export const ReceiptStatus = z.enum(['scheduled', 'fired', 'sending', 'sent', 'failed', 'cancelled']);

/**
 * A project's colour: a small fixed palette (Todoist's names, fewer of them) the web app maps to
 * colours that pass contrast checks in both themes.
 */
export const ProjectColor = z.enum([
  'red',
  'orange',
  'yellow',
  'green',
  'teal',
  'sky_blue',
  'blue',
  'violet',
  'magenta',
  'grey',
]);

/**
 * A member's role in a project (sharing, issue 13), each including the one before: a viewer reads, an
 * editor also writes the project's tasks, an owner also manages its members and settings.
 */
export const ProjectRole = z.enum(['owner', 'editor', 'viewer']);
/** The roles an invitation may offer: ownership is given by promoting a member, never by an invite. */
export const InvitableRole = z.enum(['editor', 'viewer']);

/** The CHECK constraints that enumerate a column, and the enum each must equal. */
export const CHECKED_ENUMS = [
  { table: 'tasks', column: 'status', values: TaskStatus.options },
  { table: 'tasks', column: 'priority', values: Priority.options },
  { table: 'tasks', column: 'recurrence_mode', values: RecurrenceMode.options },
  { table: 'notifications', column: 'channel', values: NotificationChannel.options },
  { table: 'reminder_deliveries', column: 'status', values: ReceiptStatus.options },
  { table: 'projects', column: 'color', values: ProjectColor.options },
  { table: 'project_members', column: 'role', values: ProjectRole.options },
  { table: 'project_invitations', column: 'role', values: InvitableRole.options },
] as const;
