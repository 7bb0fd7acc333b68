import {
  createFunctionApp,
  describeRule,
  type FunctionDeps,
  formatWallTime,
  IdParam,
  occurrencesAfter,
  RecurrencePreviewQuery,
  readParams,
  readQuery,
  SeriesQuery,
  wallTimeOf,
} from '@todo/core';
import { workBudget } from '../core/src/recurrence/expand.ts';
import { endSeries, getSeries, skipOccurrence } from '../core/src/tasks/series.ts';

/**
 * The series API: a recurring task's past and upcoming occurrences, skip one, end the series; and the
 * rule preview the task form shows while the user types a rule.
 */
export function seriesApp(deps: FunctionDeps) {
  const app = createFunctionApp('series', deps);
  const ctx = (userId: string) => ({ db: deps.db, userId, source: 'series' });

  app.get('/api/v1/series/:id', async function getSeriesRoute(c) {
    const { id } = readParams(c, IdParam);
    const { upcoming } = readQuery(c, SeriesQuery);
    return c.json(await getSeries(deps.db, c.var.user.id, id, upcoming));
  });

  app.post('/api/v1/series/:id/skip', async function skipOccurrenceRoute(c) {
    const { id } = readParams(c, IdParam);
    return c.json({ skipped: await skipOccurrence(ctx(c.var.user.id), id) });
  });

  app.post('/api/v1/series/:id/end', async function endSeriesRoute(c) {
    const { id } = readParams(c, IdParam);
    return c.json(await endSeries(ctx(c.var.user.id), id));
  });

  app.get('/api/v1/recurrence/preview', async function previewRecurrenceRoute(c) {
    const query = readQuery(c, RecurrencePreviewQuery);
    const timeZone =
      query.time_zone ??
      (
        await deps.db
          .selectFrom('users')
          .select('time_zone')
          .where('id', '=', c.var.user.id)
          .executeTakeFirstOrThrow()
      ).time_zone;
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
