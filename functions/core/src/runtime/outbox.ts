import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { EVENT_TOPIC, type EventData, type EventType, liveTaskChangeOf, makeCloudEvent } from '../events.ts';
import { LIVE_NOTIFICATIONS_CHANNEL } from '../reminders/notifications.ts';

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
  // (Postgres delivers NOTIFY on commit, never on rollback) — plus, for a member's task change, one that
  // tells the live function which project changed (events.ts LiveTaskChange).
  const live = liveTaskChangeOf(data);
  await sql`with queued as (
      insert into outbox (event_id, topic, partition_key, event_type, cloud_event)
      values (${event.id}, ${EVENT_TOPIC[type]}, ${opts.subject}, ${type}, ${JSON.stringify(event)}::jsonb))
    select pg_notify(${OUTBOX_CHANNEL}, '')${
      live ? sql`, pg_notify(${LIVE_NOTIFICATIONS_CHANNEL}, ${JSON.stringify(live)})` : sql``
    }`.execute(trx);
  return event.id;
}
