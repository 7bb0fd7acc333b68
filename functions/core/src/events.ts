import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TaskOut } from './schemas.ts';

/**
 * Event contracts shared by producers and consumers. Each event travels as a CloudEvent whose `type`
 * carries the schema version (`TaskCreated.v1`); consumers parse `data` with the schema for that type
 * and dead-letter what fails it.
 */

export const TOPICS = {
  taskEvents: 'task-events',
  taskUpdates: 'task-updates',
  reminders: 'reminders',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/**
 * A task in an event. Events written before projects (migration 20261202_1700) carry no project_id,
 * before subtasks (20261202_1800) no parent_id or subtasks, before assignees (20261202_2100) no
 * assignee_id; they may still be in the outbox or on a topic after the upgrade, so consumers read them
 * without those.
 */
const EventTask = TaskOut.extend({
  project_id: TaskOut.shape.project_id.optional(),
  parent_id: TaskOut.shape.parent_id.optional(),
  subtasks: TaskOut.shape.subtasks.optional(),
  assignee_id: TaskOut.shape.assignee_id.optional(),
});

const TaskChange = z.object({
  task: EventTask,
  /** The task as it was before this change, for audit and for reminder rescheduling. */
  previous: EventTask.nullable(),
  /** Who created the task (whose task it is in the audit log and for the event's checks). */
  user_id: z.uuid(),
  /**
   * Who made this change: the creator, or another member of a shared project (or the member who removed
   * someone, for the assignments that removal cleared). Absent on events written before it existed: then
   * the creator.
   */
  actor_id: z.uuid().optional(),
});

export const EventSchemas = {
  'TaskCreated.v1': TaskChange,
  'TaskUpdated.v1': TaskChange,
  'TaskCompleted.v1': TaskChange,
  'TaskDeleted.v1': TaskChange,
  'RecurringTaskInstanceCreated.v1': z.object({
    user_id: z.uuid(),
    series_id: z.uuid(),
    previous_task_id: z.uuid(),
    task: EventTask,
  }),
  'ReminderDue.v1': z.object({
    user_id: z.uuid(),
    task_id: z.uuid(),
    title: z.string(),
    due_at: z.string(),
    offset_minutes: z.number().int(),
    /** The instant the reminder was meant to fire, for lateness. */
    remind_at: z.string(),
    /** `<due_at>/<offset>`: one notification per task, occurrence and channel. */
    occurrence_key: z.string(),
  }),
} as const;

export type EventType = keyof typeof EventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof EventSchemas)[T]>;

export const EVENT_TOPIC: Record<EventType, Topic> = {
  'TaskCreated.v1': TOPICS.taskEvents,
  'TaskUpdated.v1': TOPICS.taskEvents,
  'TaskCompleted.v1': TOPICS.taskEvents,
  'TaskDeleted.v1': TOPICS.taskEvents,
  'RecurringTaskInstanceCreated.v1': TOPICS.taskUpdates,
  'ReminderDue.v1': TOPICS.reminders,
};

/**
 * What a committed task change tells the always-on `live` function (through pg_notify on the live
 * channel, in the statement that queues the event: delivered on commit only), so members of the project
 * who have the app open refetch what they see. Only the project and who changed it: Postgres folds
 * identical payloads of one transaction into one, so deleting a project of 500 tasks is one message,
 * and the readers fetch the tasks through the API, scoped as always.
 */
export const LiveTaskChange = z.object({
  kind: z.literal('task_change'),
  project_id: z.uuid(),
  actor_id: z.uuid(),
});
export type LiveTaskChange = z.infer<typeof LiveTaskChange>;

/** The live message of an event: task changes made by someone (not the system's own events), else none. */
export function liveTaskChangeOf(data: EventData<EventType>): LiveTaskChange | null {
  if (!('previous' in data) || !data.actor_id) return null;
  const projectId = data.task.project_id ?? data.previous?.project_id;
  return projectId ? { kind: 'task_change', project_id: projectId, actor_id: data.actor_id } : null;
}

export const CloudEvent = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  subject: z.string().optional(),
  time: z.string(),
  datacontenttype: z.string().optional(),
  partitionkey: z.string().optional(),
  data: z.unknown(),
});
export type CloudEvent = z.infer<typeof CloudEvent>;

export function makeCloudEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  opts: { source: string; subject: string; id?: string },
): CloudEvent {
  return {
    specversion: '1.0',
    id: opts.id ?? randomUUID(),
    source: opts.source,
    type,
    subject: opts.subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    partitionkey: opts.subject,
    data,
  };
}

export type ParsedEvent = { [T in EventType]: { type: T; event: CloudEvent; data: EventData<T> } }[EventType];

/** Validates an incoming CloudEvent and its payload; throws a ZodError (→ dead letter) when either is wrong. */
export function parseEvent(raw: unknown): ParsedEvent {
  const event = CloudEvent.parse(raw);
  const schema = EventSchemas[event.type as EventType];
  if (!schema)
    throw new z.ZodError([
      { code: 'custom', path: ['type'], message: `unknown event type ${event.type}`, input: event.type },
    ]);
  return { type: event.type, event, data: schema.parse(event.data) } as ParsedEvent;
}
