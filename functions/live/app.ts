import {
  type AuthUser,
  authenticateToken,
  bearerToken,
  createFunctionApp,
  type FunctionDeps,
  issueStreamTicket,
  ProblemError,
  routeHandlers,
  routeOf,
  type SessionCheck,
  STREAM_TICKET_CLAIMS,
  STREAM_TICKET_TTL_SECONDS,
  unauthorized,
} from '@todo/core';
import { isSessionActive } from '@todo/core/accounts/sessions';
import { type NotificationOut, toNotificationJson } from '@todo/core/reminders/notifications';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { functionSpec } from '../catalog.ts';
import { createLiveHub, type LiveHub, type LiveMessage, type MembersAmong } from './hub.ts';

const spec = functionSpec('live');
const STREAM_TICKET_PATH = routeOf(spec, 'createStreamTicket').path;
const HEARTBEAT_MS = 25_000;
const Subject = z.uuid();

/**
 * Who opens the stream: a bearer token (non-browser clients), or — since EventSource cannot send
 * headers — `?ticket=` from POST /stream-ticket. An access token in the URL (`?token=`) is refused:
 * URLs end up in logs and histories, and a ticket there is worth a minute of stream and nothing else.
 */
async function streamUser(
  authorization: string | undefined,
  query: { ticket?: string; token?: string },
  secret: string,
  sessionActive: SessionCheck,
): Promise<AuthUser> {
  const bearer = bearerToken(authorization);
  if (bearer) return authenticateToken(bearer, secret, sessionActive);
  if (query.ticket) return authenticateToken(query.ticket, secret, sessionActive, STREAM_TICKET_CLAIMS);
  if (query.token)
    throw unauthorized(
      `?token= is not accepted; POST ${STREAM_TICKET_PATH} and open the stream with ?ticket=`,
    );
  throw unauthorized(`Send a bearer token, or ?ticket= (POST ${STREAM_TICKET_PATH}) from an EventSource`);
}

/**
 * Open streams on this replica, per user and in all. Each one holds a socket and a subscription for
 * as long as the browser stays, so without a cap one account (or a flood of them) could hold them all.
 */
function streamSlots(perUser: number, total: number) {
  const byUser = new Map<string, number>();
  let open = 0;
  return {
    /** Takes a slot or throws 429 (this user has enough) / 503 (this replica is full). */
    take(userId: string): () => void {
      const mine = byUser.get(userId) ?? 0;
      if (mine >= perUser)
        throw new ProblemError(
          429,
          `At most ${perUser} notification streams per account at once; close another tab or window`,
          undefined,
          { 'Retry-After': '30' },
        );
      if (open >= total)
        throw new ProblemError(503, 'Too many open notification streams; retry shortly', undefined, {
          'Retry-After': '10',
        });
      byUser.set(userId, mine + 1);
      open++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
        const left = (byUser.get(userId) ?? 1) - 1;
        if (left > 0) byUser.set(userId, left);
        else byUser.delete(userId);
      };
    },
  };
}

/**
 * live: `GET /api/v1/notifications/stream`, Server-Sent Events of the caller's new notifications, and
 * `tasks` events when another member changes tasks of a project the caller is in (shared projects).
 *
 * Which process holds the connections: this small always-on function (minReplicas 1 in the catalog).
 * notify scales to zero between reminders and HTTP functions scale to zero between requests, so neither
 * can hold a browser's connection; `live` is fed by Postgres LISTEN/NOTIFY (notify pg_notify()s in the
 * transaction that stores the notification), so a push needs nothing else to be awake, and with several
 * replicas each one LISTENs and serves the browsers connected to it.
 */
export function liveApp(deps: FunctionDeps, hub?: LiveHub) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  const databaseUrl = deps.config.DATABASE_URL;
  const membersAmong: MembersAmong = async (projectId, userIds) =>
    (
      await deps.db
        .selectFrom('project_members')
        .select('user_id')
        .where('project_id', '=', projectId)
        .where('user_id', 'in', userIds)
        .execute()
    ).map((r) => r.user_id);
  const liveHub =
    hub ?? (databaseUrl ? createLiveHub({ databaseUrl, log: deps.log, membersAmong }) : undefined);
  const sessionActive: SessionCheck = (sid, userId) => isSessionActive(deps.db, sid, userId);
  const slots = streamSlots(deps.config.LIVE_MAX_STREAMS_PER_USER, deps.config.LIVE_MAX_STREAMS);

  handle('createStreamTicket', function streamTicketRoute(c) {
    const ticket = issueStreamTicket(c.var.user, deps.jwtSecret);
    return c.json({ ticket, expires_in: STREAM_TICKET_TTL_SECONDS }, 201);
  });

  handle('streamNotifications', async function streamNotifications(c) {
    const user = await streamUser(
      c.req.header('authorization'),
      { ticket: c.req.query('ticket'), token: c.req.query('token') },
      deps.jwtSecret,
      sessionActive,
    );
    const userId = user.id;
    if (!liveHub) throw new Error('live: DATABASE_URL is required to LISTEN for notifications');
    const lastEventId = c.req.header('last-event-id') ?? c.req.query('last_event_id');
    const pushUntilClosed = async (stream: SSEStreamingApi) => {
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
          else if (message?.kind === 'tasks')
            await stream.writeSSE({
              event: 'tasks',
              data: JSON.stringify({ project_id: message.project_id }),
            });
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
            if (timedOut && !stream.aborted) {
              // A logged-out or revoked session's stream ends too (checked at each heartbeat), and the
              // EventSource's reconnect with its old ticket is refused.
              if (!(await sessionActive(user.sid, userId))) break;
              // A comment line now and then keeps proxies from closing an idle stream.
              await stream.write(': keep-alive\n\n');
            }
          }
        }
      } finally {
        unsubscribe();
      }
    };
    const release = slots.take(userId);
    return streamSSE(c, async function pushNotifications(stream) {
      try {
        await pushUntilClosed(stream);
      } finally {
        release();
      }
    });
  });
  return app;
}

export default liveApp;
