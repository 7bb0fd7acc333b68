import { completeTask, createFunctionApp, type FunctionDeps, reopenTask, routeHandlers } from '@todo/core';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('complete-task');

/**
 * completeTask: marks a task done (a recurring one then gets its next occurrence; ?subtasks=complete
 * completes its open subtasks too) or reopens it.
 */
export function completeTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  const ctx = (userId: string) => ({ db: deps.db, userId, source: spec.name });
  handle('completeTask', async function completeTaskRoute(c, { params, query }) {
    return c.json(await completeTask(ctx(c.var.user.id), params.id, query));
  });
  handle('reopenTask', async function reopenTaskRoute(c, { params }) {
    return c.json(await reopenTask(ctx(c.var.user.id), params.id));
  });
  return app;
}

export default completeTaskApp;
