import { createFunctionApp, type FunctionDeps, routeHandlers } from '@todo/core';
import { previewQuickAdd, quickAddTask } from '@todo/core/quick-add/quick-add-task';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('quick-add');

/**
 * quick-add: POST /api/v1/quick-add/parse — the live preview of a typed line (saves nothing);
 * POST /api/v1/quick-add — the same parse, created as a task (201, the task, with the parse's notes).
 */
export function createQuickAddApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  handle('previewQuickAdd', async function previewRoute(c, { body: request }) {
    return c.json(await previewQuickAdd(deps.db, c.var.user.id, request));
  });
  handle('quickAdd', async function quickAddRoute(c, { body: request }) {
    const { task, parse } = await quickAddTask(
      { db: deps.db, userId: c.var.user.id, source: spec.name },
      request,
    );
    return c.json({ ...task, notes: parse.notes }, 201, { location: `/api/v1/tasks/${task.id}` });
  });
  return app;
}

export default createQuickAddApp;
