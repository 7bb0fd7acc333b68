import type { Logger } from '@todo/core';
import pg from 'pg';
import {
  LIVE_NOTIFICATIONS_CHANNEL,
  LiveNotification,
  type NotificationOut,
} from '../core/src/reminders/notifications.ts';

export type LiveMessage = { kind: 'notification'; notification: NotificationOut } | { kind: 'resync' };
type Subscriber = (message: LiveMessage) => void;

export interface LiveHub {
  /** Resolves once LISTEN is in place, so nothing committed after it can be missed. */
  subscribe(userId: string, send: Subscriber): Promise<() => void>;
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * Fans Postgres NOTIFYs out to the SSE connections of the user they belong to. One dedicated connection
 * LISTENs while anyone is connected and is released when the last one leaves. If that connection drops,
 * it is re-established and every subscriber is told to resync (refetch), since a NOTIFY sent while we
 * were not listening is gone.
 */
export function createLiveHub(opts: { databaseUrl: string; log: Logger; retryMs?: number }): LiveHub {
  const subscribers = new Map<string, Set<Subscriber>>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let count = 0;

  const broadcast = (message: LiveMessage) => {
    for (const set of subscribers.values()) for (const send of set) send(message);
  };

  function onNotification(msg: pg.Notification) {
    if (msg.channel !== LIVE_NOTIFICATIONS_CHANNEL || !msg.payload) return;
    // Anyone who can pg_notify on this channel can send anything: a payload that is not JSON is skipped
    // like one of the wrong shape (a throw here would escape the client's event emitter and end the process).
    let payload: unknown;
    try {
      payload = JSON.parse(msg.payload);
    } catch {
      opts.log.warn('ignoring a live notification that is not JSON', { bytes: msg.payload.length });
      return;
    }
    const parsed = LiveNotification.safeParse(payload);
    if (!parsed.success) {
      opts.log.warn('ignoring a malformed live notification', { issues: parsed.error.issues.length });
      return;
    }
    for (const send of subscribers.get(parsed.data.user_id) ?? [])
      send({ kind: 'notification', notification: parsed.data.notification });
  }

  function listen(): Promise<void> {
    if (client) return Promise.resolve();
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      c.on('notification', onNotification);
      c.on('error', (e) => lost(c, e));
      c.on('end', () => lost(c));
      try {
        await c.connect();
        await c.query(`listen ${pg.escapeIdentifier(LIVE_NOTIFICATIONS_CHANNEL)}`);
        client = c;
      } catch (e) {
        await c.end().catch(() => {});
        throw e;
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  }

  function lost(c: pg.Client, err?: Error) {
    if (client !== c) return;
    client = undefined;
    c.end().catch(() => {});
    opts.log.warn('live: lost the LISTEN connection; reconnecting', { err });
    reconnectSoon();
  }

  function reconnectSoon() {
    if (count === 0 || retry) return;
    retry = setTimeout(async () => {
      retry = undefined;
      try {
        await listen();
        broadcast({ kind: 'resync' });
      } catch {
        reconnectSoon();
      }
    }, opts.retryMs ?? 1000);
  }

  async function release() {
    if (count > 0) return;
    if (retry) clearTimeout(retry);
    retry = undefined;
    await connecting?.catch(() => {});
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  }

  return {
    get listening() {
      return client !== undefined;
    },
    async subscribe(userId, send) {
      count++;
      const set = subscribers.get(userId) ?? new Set<Subscriber>();
      subscribers.set(userId, set);
      set.add(send);
      let gone = false;
      const unsubscribe = () => {
        if (gone) return;
        gone = true;
        count--;
        set.delete(send);
        if (!set.size) subscribers.delete(userId);
        void release();
      };
      try {
        await listen();
      } catch (e) {
        unsubscribe();
        throw e;
      }
      return unsubscribe;
    },
    async close() {
      subscribers.clear();
      count = 0;
      await release();
    },
  };
}
