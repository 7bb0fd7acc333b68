import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { EVENT_TOPIC, type EventData, type EventType, liveTaskChangeOf, makeCloudEvent } from '../events.ts';
import { LIVE_NOTIFICATIONS_CHANNEL } from '../reminders/notifications.ts';

/** The LISTEN/NOTIFY channel the outbox relay waits on. */
export const OUTBOX_CHANNEL = 'outbox';

interface EventOpts {
  source: string;
  subject: string;
}

/**
 * Records an event in the outbox inside the caller's transaction: the change and its event commit
 * together or not at all. A relay publishes the row later, so a broker outage only delays it.
 */
export async function enqueueEvent<T extends EventType>(
  trx: Kysely<Database>,
  type: T,
  data: EventData<T>,
  opts: EventOpts,
): Promise<string> {
  const event = makeCloudEvent(type, data, opts);
  // One round trip: the row, and a NOTIFY that wakes the relay the moment this transaction commits
  // (Postgres delivers NOTIFY on commit, never on rollback) — plus, for a member's task change, one that
  // tells the live function which project changed (events.ts LiveTaskChange).
  const live = liveTaskChangeOf(data);
  const json = sql`${JSON.stringify(event)}::jsonb`;
  await sql`with queued as (${OUTBOX_INSERT} values (${outboxColumns(type, opts.subject, event.id, json)}))
    select ${notifications(live && sql`${JSON.stringify(live)}`)}`.execute(trx);
  return event.id;
}

/**
 * Placeholder for a field of a new task that its insert leaves to the database; queueTaskEvent puts the
 * written row's value in its place before the event is stored.
 */
export const SET_BY_INSERT = '(set by the insert)';

/**
 * The outbox part of a statement that writes a task, so that the write and its event are one statement
 * (one round trip; atomic even without a transaction). `taskCte` names the statement's CTE that inserts or
 * updates the task (`returning *`). `data.task` is the task after the write as toTaskJson gives it, except
 * that the two fields an insert may leave to the database — the project (the Inbox) and the time zone (the
 * user's) — may be SET_BY_INSERT: both are taken from the written row. Returns the rest of the statement
 * after the caller's CTEs: `queued as (…) select <taskCte's row, the NOTIFYs> from <taskCte>`.
 *
 * `tags`, when given, is the task's tags as the statement itself decides them (a JSON array expression,
 * when the statement creates tags): it replaces data.task.tags and is returned as the column `tags`.
 */
export function queueTaskEvent<T extends EventType>(
  taskCte: string,
  type: T,
  data: EventData<T> & { task: { project_id: string; time_zone: string } },
  opts: EventOpts,
  tags?: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const event = makeCloudEvent(type, data, opts);
  const fromRow = (column: 'project_id' | 'time_zone') => sql`to_jsonb(${sql.ref(`${taskCte}.${column}`)})`;
  const fromRowOnly = sql`jsonb_set(jsonb_set(${JSON.stringify(event)}::jsonb,
    '{data,task,project_id}', ${fromRow('project_id')}), '{data,task,time_zone}', ${fromRow('time_zone')})`;
  const json = tags ? sql`jsonb_set(${fromRowOnly}, '{data,task,tags}', (${tags})::jsonb)` : fromRowOnly;
  const live = liveTaskChangeOf(data);
  const liveJson =
    live && sql`jsonb_set(${JSON.stringify(live)}::jsonb, '{project_id}', ${fromRow('project_id')})::text`;
  const task = sql.table(taskCte);
  return sql`queued as (${OUTBOX_INSERT} select ${outboxColumns(type, opts.subject, event.id, json)} from ${task})
    select ${task}.*, ${tags ? sql`${tags} as tags, ` : sql``}${notifications(liveJson)} from ${task}`;
}

const OUTBOX_INSERT = sql`insert into outbox (event_id, topic, partition_key, event_type, cloud_event)`;

/** An outbox row: the event's topic by its type, partitioned by its subject (one task's events in order). */
const outboxColumns = (type: EventType, subject: string, eventId: string, cloudEvent: RawBuilder<unknown>) =>
  sql`${eventId}, ${EVENT_TOPIC[type]}, ${subject}, ${type}, ${cloudEvent}`;

/** The relay's wake-up, and the live function's message (a text expression) when there is one. */
const notifications = (live: RawBuilder<unknown> | null) =>
  sql`pg_notify(${OUTBOX_CHANNEL}, '')${live ? sql`, pg_notify(${LIVE_NOTIFICATIONS_CHANNEL}, ${live})` : sql``}`;
