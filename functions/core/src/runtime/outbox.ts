import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { EVENT_TOPIC, type EventData, type EventType, makeCloudEvent } from '../events.ts';

/** The LISTEN/NOTIFY channel the outbox relay waits on. */
export const OUTBOX_CHANNEL = 'outbox';

/**
 * Records an event in the outbox inside the caller's transaction: the change and its event commit
 * together or not at all. A relay publishes the row later, so a broker outage only delays it.
 */
export async function enqueueEvent<T extends EventType>(
  trx: Kysely<Database>,
  type: T,
  data: EventData<T>,
  opts: { source: string; subject: string },
): Promise<string> {
  const event = makeCloudEvent(type, data, opts);
  // One round trip: the row, and a NOTIFY that wakes the relay the moment this transaction commits
  // (Postgres delivers NOTIFY on commit, never on rollback).
  await sql`with queued as (
      insert into outbox (event_id, topic, partition_key, event_type, cloud_event)
      values (${event.id}, ${EVENT_TOPIC[type]}, ${opts.subject}, ${type}, ${JSON.stringify(event)}::jsonb))
    select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
  return event.id;
}
