import { createFunctionApp, deleteTask, type FunctionDeps, routeHandlers } from '@todo/core';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('delete-task');

/** deleteTask: removes one of the caller's tasks; its TaskDeleted event cancels its reminders. */
export function deleteTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  routeHandlers(app, spec)('deleteTask', async function deleteTaskRoute(c, { params }) {
    await deleteTask({ db: deps.db, userId: c.var.user.id, source: spec.name }, params.id);
    return c.body(null, 204);
  });
  return app;
}

export default deleteTaskApp;
