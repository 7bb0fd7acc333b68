import { createHash } from 'node:crypto';
import { createFunctionApp, type FunctionDeps, notFound, routeHandlers, routeOf } from '@todo/core';
import { clientIp, enforceLimits, LIMITS } from '@todo/core/runtime/rate-limit';
import type { Context } from 'hono';
import { functionSpec } from '../catalog.ts';
import { buildCalendar } from './feed.ts';
import { feedOwner, feedTasks, getFeed, regenerateFeed, revokeFeed } from './feeds.ts';

const spec = functionSpec('calendar-feed');
const FEED_PATH = routeOf(spec, 'getCalendar').path;

/** The address a calendar app subscribes to, on the web app's configured address (never the Host header). */
const feedUrl = (deps: FunctionDeps, token: string) =>
  `${deps.config.APP_BASE_URL.replace(/\/+$/, '')}${FEED_PATH.replace(':token', () => token)}`;

/** A strong validator of the exact bytes: the body depends only on the tasks, so it changes when they do. */
const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url')}"`;

/** If-None-Match (RFC 9110 §13.1.2): `*`, or any listed tag equal to ours by the weak comparison. */
function notModified(c: Context, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * calendar-feed: a secret per-user iCalendar address that Google, Apple and Outlook calendars subscribe
 * to. With a bearer token: see, create or regenerate, and revoke the address. Without one: the feed
 * itself at `/api/v1/calendar/<token>.ics`, the token being the credential.
 */
export function calendarFeedApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  handle('getCalendarFeed', async function getFeedRoute(c) {
    const feed = await getFeed(deps.db, deps.jwtSecret, c.var.user.id);
    if (!feed) throw notFound('Calendar feed');
    return c.json({
      url: feed.token && feedUrl(deps, feed.token),
      created_at: feed.created_at.toISOString(),
    });
  });
  handle('regenerateCalendarFeed', async function regenerateFeedRoute(c) {
    const feed = await regenerateFeed(deps.db, deps.jwtSecret, c.var.user.id);
    return c.json({ url: feedUrl(deps, feed.token), created_at: feed.created_at.toISOString() }, 201);
  });
  handle('revokeCalendarFeed', async function revokeFeedRoute(c) {
    await revokeFeed(deps.db, c.var.user.id);
    return c.body(null, 204);
  });
  // Counted before anything else (the query too), so guessing tokens costs the same as fetching a feed.
  app.use(FEED_PATH, async function limitFeedFetches(c, next) {
    await enforceLimits(deps.db, [{ rule: LIMITS.calendarFeedPerIp, key: clientIp(c) }], 'calendar requests');
    await next();
  });
  // `token` is the whole last segment (core/src/runtime/routes.ts: Hono reads `:token.ics` as one parameter).
  handle('getCalendar', async function calendarRoute(c, { params, query: { type } }) {
    const file = params.token;
    // Without `.ics` it is no address we gave out; it still takes the lookup's path and time.
    const owner = await feedOwner(deps.db, file.endsWith('.ics') ? file.slice(0, -4) : `\0${file}`);
    if (!owner) throw notFound('Calendar feed');
    const body = buildCalendar(await feedTasks(deps.db, owner), {
      type,
      baseUrl: deps.config.APP_BASE_URL.replace(/\/+$/, ''),
    });
    const etag = etagOf(body);
    // private: the address is a secret, so no shared cache may keep the body; 5 minutes spares us a
    // client that refreshes in a loop, and a 304 spares the transfer when nothing changed.
    c.header('Cache-Control', 'private, max-age=300');
    c.header('ETag', etag);
    if (notModified(c, etag)) return c.body(null, 304);
    c.header('Content-Type', 'text/calendar; charset=utf-8');
    return c.body(body, 200);
  });
  return app;
}

export default calendarFeedApp;
