import type { Hono } from 'hono';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/types.ts';
import { type ParsedEvent, parseEvent } from '../events.ts';
import { type AppEnv, createFunctionApp, type FunctionDeps, requestText } from './http.ts';
import type { JobScheduler } from './ports.ts';

/** What an event function's handlers get: the usual deps plus the job scheduler port. */
export interface EventDeps extends FunctionDeps {
  jobs: JobScheduler;
}

/**
 * Dapr's subscriber contract: SUCCESS acknowledges, RETRY asks for redelivery (the Resiliency policy
 * retries, then the dead-letter topic), DROP sends the message straight to the dead-letter topic.
 */
export type DeliveryStatus = 'SUCCESS' | 'RETRY' | 'DROP';

/**
 * Thrown by a handler for an expected, transient reason to try again later (another writer holds a
 * claim, the task moved under us). Logged as a warning with its message, not as an error with a stack:
 * it is the protocol working, not a fault.
 */
export class RetryLater extends Error {
  override readonly name: string = 'RetryLater';
}

export type EventHandler = (event: ParsedEvent, deps: EventDeps) => Promise<void>;

/** The route daprd (or the local bus) delivers a topic's CloudEvents to. */
export const eventRoute = (topic: string) => `/events/${topic}`;

/**
 * An event function: `POST /events/<topic>` per subscribed topic. A payload that fails its schema is
 * DROPped (→ dead letter) and never retried; a handler error asks for a RETRY.
 */
export function createEventFunctionApp(
  name: string,
  deps: EventDeps,
  handlers: Record<string, EventHandler>,
): Hono<AppEnv> {
  const app = createFunctionApp(name, deps);
  for (const [topic, handle] of Object.entries(handlers)) {
    app.post(eventRoute(topic), async function receiveEvent(c) {
      let parsed: ParsedEvent;
      try {
        parsed = parseEvent(JSON.parse(await requestText(c)));
      } catch (e) {
        deps.log.warn('dropping malformed event', { fn: name, topic, err: e });
        return c.json({ status: 'DROP' satisfies DeliveryStatus });
      }
      try {
        await handle(parsed, deps);
        return c.json({ status: 'SUCCESS' satisfies DeliveryStatus });
      } catch (e) {
        const about = { fn: name, topic, id: parsed.event.id };
        if (e instanceof RetryLater)
          deps.log.warn('event must wait; asking for a retry', { ...about, reason: e.message });
        else deps.log.error('event handler failed; asking for a retry', { ...about, err: e });
        return c.json({ status: 'RETRY' satisfies DeliveryStatus }, 500);
      }
    });
  }
  return app;
}

/**
 * Runs `effect` at most once per consumer and event id: the processed-events row and the effect commit
 * together, so a redelivered or concurrently delivered event finds the row and does nothing.
 */
export async function onceOnly(
  db: Kysely<Database>,
  consumer: string,
  eventId: string,
  effect: (trx: Transaction<Database>) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('processed_events')
      .values({ consumer, event_id: eventId })
      .onConflict((oc) => oc.doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!claimed) return false;
    await effect(trx);
    return true;
  });
}
