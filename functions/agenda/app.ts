import { createFunctionApp, type FunctionDeps, routeHandlers } from '@todo/core';
import { userTimeZone } from '@todo/core/accounts/users';
import { agendaToday, agendaUpcoming } from '@todo/core/tasks/agenda';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('agenda');

/**
 * The everyday views as queries: Today (overdue and due today) and Upcoming (the next days, with the
 * occurrences recurring tasks will create), by calendar day in the user's zone or the one asked for.
 */
export function agendaApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);

  handle('getAgendaToday', async function agendaTodayRoute(c, { query }) {
    const timeZone = await userTimeZone(deps.db, c.var.user.id, query.time_zone);
    return c.json(await agendaToday(deps.db, c.var.user.id, timeZone));
  });

  handle('getAgendaUpcoming', async function agendaUpcomingRoute(c, { query }) {
    const timeZone = await userTimeZone(deps.db, c.var.user.id, query.time_zone);
    return c.json(await agendaUpcoming(deps.db, c.var.user.id, timeZone, query.days));
  });
  return app;
}

export default agendaApp;
