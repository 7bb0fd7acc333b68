import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './db/types.ts';
import { EVENT_TOPIC, type EventData, type EventType, makeCloudEvent } from './events.ts';

/** The LISTEN/NOTIFY channel the outbox relay waits on. */
export const OUTBOX_CHANNEL = 'outbox';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Records an event in the outbox inside the caller's transaction: the change and its event commit
 * together or not at all. A relay publishes the row later, so a broker outage only delays it.
 */
export async function enqueueEvent<T extends EventType>(
  trx: Executor,
  type: T,
  data: EventData<T>,
  opts: { source: string; subject: string },
): Promise<string> {
  const event = makeCloudEvent(type, data, opts);
  await trx
    .insertInto('outbox')
    .values({
      event_id: event.id,
      topic: EVENT_TOPIC[type],
      partition_key: opts.subject,
      event_type: type,
      cloud_event: JSON.stringify(event),
    })
    .execute();
  // Wakes the relay the moment this transaction commits (Postgres delivers NOTIFY on commit, never on rollback).
  await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
  return event.id;
}
