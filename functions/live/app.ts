import { createFunctionApp, type FunctionDeps, unauthorized, verifyAccessToken } from '@todo/core';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { type NotificationOut, toNotificationJson } from '../core/src/reminders/notifications.ts';
import { createLiveHub, type LiveHub, type LiveMessage } from './hub.ts';

export const STREAM_PATH = '/api/v1/notifications/stream';
const HEARTBEAT_MS = 25_000;
const Subject = z.uuid();

/** EventSource cannot send headers, so the token may also come as `?token=`. */
async function streamUser(authorization: string | undefined, queryToken: string | undefined, secret: string) {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? queryToken;
  if (!token) throw unauthorized('Send a bearer token, or ?token=<token> from an EventSource');
  try {
    const { sub } = verifyAccessToken(token, secret);
    return Subject.parse(sub);
  } catch {
    throw unauthorized('The token is invalid or expired; log in again');
  }
}

/**
 * live: `GET /api/v1/notifications/stream`, Server-Sent Events of the caller's new notifications.
 *
 * Which process holds the connections: this small always-on function (minReplicas 1 in the catalog).
 * notify scales to zero between reminders and HTTP functions scale to zero between requests, so neither
 * can hold a browser's connection; `live` is fed by Postgres LISTEN/NOTIFY (notify pg_notify()s in the
 * transaction that stores the notification), so a push needs nothing else to be awake, and with several
 * replicas each one LISTENs and serves the browsers connected to it.
 */
export function liveApp(deps: FunctionDeps, hub?: LiveHub) {
  const app = createFunctionApp('live', deps, { publicPaths: [STREAM_PATH] });
  const databaseUrl = deps.config.DATABASE_URL;
  const liveHub = hub ?? (databaseUrl ? createLiveHub({ databaseUrl, log: deps.log }) : undefined);

  app.get(STREAM_PATH, async function streamNotifications(c) {
    const userId = await streamUser(c.req.header('authorization'), c.req.query('token'), deps.jwtSecret);
    if (!liveHub) throw new Error('live: DATABASE_URL is required to LISTEN for notifications');
    const lastEventId = c.req.header('last-event-id') ?? c.req.query('last_event_id');
    return streamSSE(c, async function pushNotifications(stream) {
      const send = (n: NotificationOut) =>
        stream.writeSSE({ event: 'notification', id: n.id, data: JSON.stringify(n) });
      const queue: LiveMessage[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = await liveHub.subscribe(userId, (message) => {
        queue.push(message);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      try {
        // A reconnecting EventSource sends Last-Event-ID: replay what it missed, oldest first.
        if (lastEventId && Subject.safeParse(lastEventId).success) {
          const missed = await deps.db
            .selectFrom('notifications')
            .selectAll()
            .where('user_id', '=', userId)
            .where('created_at', '>', (eb) =>
              eb
                .selectFrom('notifications')
                .select('created_at')
                .where('id', '=', lastEventId)
                .where('user_id', '=', userId),
            )
            .orderBy('created_at')
            .execute();
          for (const row of missed) await send(toNotificationJson(row));
        }
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ user_id: userId }) });
        while (!stream.aborted) {
          const message = queue.shift();
          if (message?.kind === 'notification') await send(message.notification);
          else if (message?.kind === 'resync') await stream.writeSSE({ event: 'resync', data: '{}' });
          else {
            const timedOut = await new Promise<boolean>((resolve) => {
              const t = setTimeout(() => resolve(true), HEARTBEAT_MS);
              wake = () => {
                clearTimeout(t);
                resolve(false);
              };
            });
            wake = undefined;
            // A comment line now and then keeps proxies from closing an idle stream.
            if (timedOut && !stream.aborted) await stream.write(': keep-alive\n\n');
          }
        }
      } finally {
        unsubscribe();
      }
    });
  });
  return app;
}

export default liveApp;
