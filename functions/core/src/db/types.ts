import type { ColumnType, Generated, JSONColumnType, Selectable, Updateable } from 'kysely';
import type { z } from 'zod';
import type * as enums from '../enums.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export type TaskStatus = z.infer<typeof enums.TaskStatus>;
export type Priority = z.infer<typeof enums.Priority>;
export type RecurrenceMode = z.infer<typeof enums.RecurrenceMode>;
export type ProjectColor = z.infer<typeof enums.ProjectColor>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  time_zone: Generated<string>;
  created_at: CreatedAt;
  /** When the user proved the address (a verification link, or a password reset mailed to it). */
  email_verified_at: Timestamp | null;
}

/** One log-in: its refresh token (stored as SHA-256) rotates on every refresh. */
export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  refresh_hash: string;
  /** The hash the last rotation replaced: seen again, the token was copied, and the session is revoked. */
  previous_hash: string | null;
  rotation: Generated<number>;
  created_at: CreatedAt;
  rotated_at: Generated<Timestamp>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
}

export type AccountTokenPurpose = 'password_reset' | 'verify_email';

/** Links mailed to a user (password reset, email verification), stored hashed. */
export interface AccountTokensTable {
  token_hash: string;
  user_id: string;
  purpose: AccountTokenPurpose;
  /** The address it was sent to: it proves only that address. */
  email: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface TasksTable {
  id: Generated<string>;
  user_id: string;
  title: string;
  description: Generated<string>;
  status: Generated<TaskStatus>;
  priority: Generated<Priority>;
  /** Generated from priority (high 3 > medium 2 > low 1) so sorting is semantic, not alphabetical. */
  priority_rank: ColumnType<number, never, never>;
  due_at: Timestamp | null;
  time_zone: Generated<string>;
  recurrence_rule: string | null;
  recurrence_mode: RecurrenceMode | null;
  /** Occurrences of one recurring task share a series id (the first occurrence's id). */
  series_id: string | null;
  /** Minutes before due_at at which a reminder fires. */
  reminder_offsets: Generated<number[]>;
  /** Tag names, space-joined, kept in step with task_tags so search is one indexed column. */
  tag_names: Generated<string>;
  search_text: ColumnType<string, never, never>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  completed_at: Timestamp | null;
  /** 1 for a series' first occurrence, +1 for each next one (COUNT is compared with it). */
  occurrence_number: Generated<number>;
  /** The occurrence this one was created after; unique, so one occurrence has at most one next. */
  previous_occurrence_id: string | null;
  /** The wall-clock due (`YYYY-MM-DDTHH:mm:ss` in time_zone) the series meant, e.g. 02:30 in a DST gap. */
  due_local: string | null;
  /** Set when the occurrence was skipped rather than done (it is closed like a completed one). */
  skipped_at: Timestamp | null;
  /**
   * 20261202_1700: the project it is in (one of its owner's). Optional on insert: a trigger puts a task
   * inserted without one into its owner's Inbox.
   */
  project_id: ColumnType<string, string | undefined, string>;
  /**
   * 20261202_1800: the task this one is a subtask of (same user and project; one level, so that task has
   * none itself), or null for a top-level task. Deleting the parent deletes it.
   */
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * 20261202_2100: the member of the task's project it is assigned to (owner or editor), or null. Its
   * reminders ring for the assignee, else for the creator (reminders/recipient.ts).
   */
  assignee_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** 20261202_1700: a list of tasks. Every user has exactly one Inbox (created with the account). */
export interface ProjectsTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  color: Generated<ProjectColor>;
  /** The order in the sidebar: the Inbox 0, the others a dense 1..n-1 (archived ones keep theirs). */
  position: number;
  is_inbox: Generated<boolean>;
  /** Has ever had a member besides its creator (migration 20261202_2000): may hold others' tasks. */
  shared: Generated<boolean>;
  archived_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** Series the user ended: no further occurrence is created for them. */
export interface RecurrenceSeriesEndsTable {
  series_id: string;
  user_id: string;
  ended_at: CreatedAt;
}

export interface TagsTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  created_at: CreatedAt;
}

export interface TaskTagsTable {
  task_id: string;
  tag_id: string;
}

export interface OutboxTable {
  id: Generated<string>;
  event_id: string;
  topic: string;
  partition_key: string;
  event_type: string;
  /** The whole CloudEvent as published. */
  cloud_event: JSONColumnType<Record<string, unknown>>;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  attempts: Generated<number>;
  next_attempt_at: Generated<Timestamp>;
  last_error: string | null;
}

export interface ProcessedEventsTable {
  consumer: string;
  event_id: string;
  processed_at: CreatedAt;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  task_id: string;
  /** Which occurrence and reminder this is for, e.g. `<due ISO>/<offset>`; unique per task and channel. */
  occurrence_key: string;
  channel: z.infer<typeof enums.NotificationChannel>;
  title: string;
  body: string;
  created_at: CreatedAt;
  read_at: Timestamp | null;
  snoozed_until: Timestamp | null;
}

export interface ReminderDeliveriesTable {
  id: Generated<string>;
  user_id: string;
  task_id: string;
  occurrence_key: string;
  channel: string;
  status: z.infer<typeof enums.ReceiptStatus>;
  scheduled_for: Timestamp;
  fired_at: Timestamp | null;
  sent_at: Timestamp | null;
  lateness_ms: number | null;
  detail: string | null;
  /** While `sending`: until when the claiming delivery holds the send (a lease, as scheduled_jobs has). */
  locked_until: Timestamp | null;
  updated_at: UpdatedAt;
}

export interface AuditLogTable {
  id: Generated<string>;
  event_id: string;
  user_id: string | null;
  actor: string;
  event_type: string;
  entity_id: string | null;
  occurred_at: Timestamp;
  before: JSONColumnType<Record<string, unknown> | null>;
  after: JSONColumnType<Record<string, unknown> | null>;
  recorded_at: CreatedAt;
}

/** Durable one-shot jobs for the embedded runner (the cluster uses the Dapr Scheduler instead). */
export interface ScheduledJobsTable {
  name: string;
  due_at: Timestamp;
  data: JSONColumnType<Record<string, unknown>>;
  attempts: Generated<number>;
  locked_until: Timestamp | null;
  created_at: CreatedAt;
}

/** Embedded runner only: events a consumer DROPped (in a cluster, Dapr sends them to the dead-letter topic). */
export interface DeadLettersTable extends DeadLetterSourceColumns {
  id: Generated<string>;
  event_id: string;
  topic: string;
  /** The consumer that gave up (source 'consumer'); null for an outbox row the relay gave up on. */
  consumer: string | null;
  cloud_event: JSONColumnType<Record<string, unknown>>;
  reason: string;
  created_at: CreatedAt;
}

/** 0006: dead letters also come from the outbox relay (a row that failed to publish too many times). */
export interface DeadLetterSourceColumns {
  source: ColumnType<'consumer' | 'outbox', 'consumer' | 'outbox' | undefined, never>;
  /** The outbox row's partition key (the task id); null for a consumer's dead letter. */
  partition_key: string | null;
  /** Failed publishes before the relay gave up; null for a consumer's dead letter. */
  attempts: number | null;
  /** When it was dead-lettered (retention counts from here; created_at is when the event was written). */
  dead_at: ColumnType<Date, Date | string | undefined, never>;
}

/** 20261202_1400: a user's secret calendar subscription (issue 13); the token is stored as its SHA-256. */
export interface CalendarFeedsTable {
  user_id: string;
  token_hash: string;
  /** When this token was made: a regeneration sets it again (the token is derived from it). */
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** 20261202_1900: who may see and change a project (issue 13), one row per member; see projects/access.ts. */
export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: z.infer<typeof enums.ProjectRole>;
  /** Who added them (null: the creator, added by the database's trigger). */
  added_by: string | null;
  created_at: CreatedAt;
}

/** 20261202_1900: an invitation to a project, waiting for an email address (lower-cased). */
export interface ProjectInvitationsTable {
  id: Generated<string>;
  project_id: string;
  email: string;
  role: z.infer<typeof enums.InvitableRole>;
  invited_by: string;
  created_at: CreatedAt;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  account_tokens: AccountTokensTable;
  tasks: TasksTable;
  projects: ProjectsTable;
  tags: TagsTable;
  task_tags: TaskTagsTable;
  outbox: OutboxTable;
  processed_events: ProcessedEventsTable;
  notifications: NotificationsTable;
  reminder_deliveries: ReminderDeliveriesTable;
  audit_log: AuditLogTable;
  scheduled_jobs: ScheduledJobsTable;
  dead_letters: DeadLettersTable;
  recurrence_series_ends: RecurrenceSeriesEndsTable;
  calendar_feeds: CalendarFeedsTable;
  project_members: ProjectMembersTable;
  project_invitations: ProjectInvitationsTable;
}

export type TaskRow = Selectable<TasksTable>;
export type TaskRowUpdate = Updateable<TasksTable>;
export type TagRow = Selectable<TagsTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type UserRow = Selectable<UsersTable>;
