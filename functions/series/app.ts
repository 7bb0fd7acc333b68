import {
  createFunctionApp,
  describeRule,
  type FunctionDeps,
  formatWallTime,
  occurrencesAfter,
  routeHandlers,
  wallTimeOf,
} from '@todo/core';
import { userTimeZone } from '@todo/core/accounts/users';
import { workBudget } from '@todo/core/recurrence/expand';
import { endSeries, getSeries, skipOccurrence } from '@todo/core/tasks/series';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('series');

/**
 * The series API: a recurring task's past and upcoming occurrences, skip one, end the series; and the
 * rule preview the task form shows while the user types a rule.
 */
export function seriesApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  const ctx = (userId: string) => ({ db: deps.db, userId, source: spec.name });

  handle('getSeries', async function getSeriesRoute(c, { params, query }) {
    return c.json(await getSeries(deps.db, c.var.user.id, params.id, query.upcoming));
  });

  handle('skipOccurrence', async function skipOccurrenceRoute(c, { params }) {
    return c.json({ skipped: await skipOccurrence(ctx(c.var.user.id), params.id) });
  });

  handle('endSeries', async function endSeriesRoute(c, { params }) {
    return c.json(await endSeries(ctx(c.var.user.id), params.id));
  });

  handle('previewRecurrence', async function previewRecurrenceRoute(c, { query }) {
    const timeZone = await userTimeZone(deps.db, c.var.user.id, query.time_zone);
    const first = new Date(query.due_at);
    // One work budget for the request: a rule that matches rarely (Feb 29) lists what the budget reaches.
    const rest = occurrencesAfter(query.rule, first, timeZone, first, query.count - 1, {
      budget: workBudget(),
    });
    const occurrences = [{ at: first, wall: wallTimeOf(first, timeZone) }, ...rest].map((o) => ({
      due_at: o.at.toISOString(),
      due_local: formatWallTime(o.wall),
    }));
    return c.json({
      rule: query.rule,
      text: describeRule(query.rule, first, timeZone),
      time_zone: timeZone,
      occurrences,
    });
  });
  return app;
}

export default seriesApp;
