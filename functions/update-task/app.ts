import { createFunctionApp, type FunctionDeps, patchTask, replaceTask, routeHandlers } from '@todo/core';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('update-task');

/** updateTask: PUT replaces a task, PATCH changes the fields given. */
export function updateTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  const ctx = (userId: string) => ({ db: deps.db, userId, source: spec.name });
  handle('replaceTask', async function replaceTaskRoute(c, { params, body }) {
    return c.json(await replaceTask(ctx(c.var.user.id), params.id, body));
  });
  handle('patchTask', async function patchTaskRoute(c, { params, body }) {
    return c.json(await patchTask(ctx(c.var.user.id), params.id, body));
  });
  return app;
}

export default updateTaskApp;
